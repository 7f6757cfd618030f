/**
 * Writes the Grafana dashboards generated from deploy/grafana/*.dashboard.ts
 * into deploy/grafana/dashboards/*.json.
 *   npx tsx scripts/generate-dashboards.ts          # write (runs this file)
 *   npx tsx scripts/generate-dashboards.ts --check  # exit 1 when a committed file is stale
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  parseCliArgs,
  runCliCommand,
  runIfStartedAs,
} from '@kingbridge/config';
import { DASHBOARDS_DIR, renderAllDashboards } from './dashboard-registry';

export interface DashboardDrift {
  readonly stale: string[];
  readonly missing: string[];
  readonly extra: string[];
}

export function dashboardDrift(dir: string = DASHBOARDS_DIR): DashboardDrift {
  const rendered = renderAllDashboards();
  const stale: string[] = [];
  const missing: string[] = [];
  for (const { file, text } of rendered) {
    const path = join(dir, file);
    if (!existsSync(path)) missing.push(file);
    else if (readFileSync(path, 'utf8') !== text) stale.push(file);
  }
  const expected = new Set(rendered.map((r) => r.file));
  const extra = existsSync(dir)
    ? readdirSync(dir).filter((f) => f.endsWith('.json') && !expected.has(f))
    : [];
  return { stale, missing, extra };
}

export const GENERATE_DASHBOARDS_USAGE =
  'usage: tsx scripts/generate-dashboards.ts [--check]\n  writes deploy/grafana/dashboards/*.json; --check exits 1 when they are stale';

/** Writes the dashboards, or with --check says whether they are stale (exit 1); returns the exit code. */
export function run(argv: readonly string[]): Promise<number> {
  return runCliCommand(
    argv,
    { name: 'generate-dashboards', usage: GENERATE_DASHBOARDS_USAGE },
    async (args) =>
      parseCliArgs(args, {
        options: { check: { type: 'boolean', default: false } },
      }).values.check
        ? check()
        : write(),
  );
}

function check(): number {
  const drift = dashboardDrift();
  const problems = [
    ...drift.stale.map((f) => `stale: ${f}`),
    ...drift.missing.map((f) => `missing: ${f}`),
    ...drift.extra.map((f) => `not generated (delete it): ${f}`),
  ];
  if (problems.length > 0) {
    process.stderr.write(
      `Stale dashboards detected; run \`npx tsx scripts/generate-dashboards.ts\`:\n  ${problems.join('\n  ')}\n`,
    );
    return 1;
  }
  process.stdout.write('dashboards are up to date\n');
  return 0;
}

function write(): number {
  for (const { file, text } of renderAllDashboards()) {
    writeFileSync(join(DASHBOARDS_DIR, file), text);
    process.stdout.write(`wrote ${join('deploy/grafana/dashboards', file)}\n`);
  }
  return 0;
}

runIfStartedAs(
  'deploy/grafana/generate-dashboards',
  'generate-dashboards',
  run,
);
