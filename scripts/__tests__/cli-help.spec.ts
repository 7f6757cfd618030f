import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTsxCli, type CliRun } from '@kingbridge/testing';

const run = (script: string, args: readonly string[]): Promise<CliRun> =>
  runTsxCli(script, args);

/** Every command line entry of scripts/, tools/, deploy/ and bench/ (and the sink's dlq alias). */
const CLIS = [
  'scripts/migrate.ts',
  'scripts/lookups.ts',
  'scripts/replay-dlq.ts',
  'scripts/generate-dashboards.ts',
  'scripts/generate-docs.ts',
  'scripts/check-drift.ts',
  'scripts/check-tags.ts',
  'scripts/check-imports.ts',
  'scripts/typecheck-project.ts',
  'scripts/plan.ts',
  'scripts/reconcile.ts',
  'scripts/trace.ts',
  'scripts/backfill.ts',
  'scripts/stack/main.ts',
  'tools/src/kingbridge.ts',
  'services/sink-kingdee/src/cli.ts',
  'deploy/grafana/generate-dashboards.ts',
  'deploy/k8s/generate.ts',
  'deploy/docker/build.ts',
  'deploy/docker/demo-world.ts',
  'bench/run.ts',
  'bench/sink-throughput.ts',
  'bench/profile-summary.ts',
  'bench/transform-flow1.bench.ts',
];

describe('operator CLIs', () => {
  it.each(CLIS)(
    'should print the usage and exit 0 on --help without doing anything: %s',
    async (script) => {
      const r = await run(script, ['--help']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/usage:/);
      expect(r.stdout).not.toMatch(/wrote |up to date|applied|pending in/);
    },
  );

  it.each(CLIS.filter((c) => !c.endsWith('sink-kingdee/src/cli.ts')))(
    'should name an unknown option and exit 2 without doing anything: %s',
    async (script) => {
      const r = await run(script, ['--bogus']);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/unknown option '?--bogus/i);
      expect(r.stderr).toMatch(/usage:/);
      expect(r.stdout).not.toMatch(/wrote |up to date|applied|pending in/);
    },
  );

  it.each([
    'deploy/local/infra.sh',
    'deploy/local/kafka.sh',
    'deploy/local/prometheus.sh',
  ])(
    'should print the usage of %s on --help with exit 0, and exit 2 on an unknown command',
    (script) => {
      const help = spawnSync('bash', [script, '--help'], { encoding: 'utf8' });
      const bogus = spawnSync('bash', [script, '--bogus'], {
        encoding: 'utf8',
      });

      expect(help.status, help.stderr).toBe(0);
      expect(help.stdout).toMatch(/^usage: /);
      expect(bogus.status).toBe(2);
      expect(bogus.stderr).toMatch(/^usage: /);
    },
  );

  it('should name the file and line of a malformed lookups file given to a plan dry run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kb-cli-'));
    const file = join(dir, 'lookups.json');
    await writeFile(
      file,
      '{\n  "orgs": [\n    { "shop_code": "A" },,\n  ]\n}\n',
    );
    const records = join(dir, 'records.ndjson');
    await writeFile(records, '{"io_id": 1}\n');
    const r = await run('scripts/plan.ts', [
      'dry-run',
      'plans/jushuitan-count-loss-to-jdy.yaml',
      records,
      '--lookups',
      file,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`plan: ${file}:3: not valid JSON`);
  });

  it('should name the file and line of a malformed lookup tables file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kb-cli-'));
    const file = join(dir, 'tables.json');
    await writeFile(
      file,
      '{\n  "orgs": [\n    { "shop_code": "A", }\n  ]\n}\n',
    );
    const r = await run('scripts/lookups.ts', ['load', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:3: not valid JSON`);
  });
});
