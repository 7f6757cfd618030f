/*
 * The benchmark harness: `npm run bench` runs every scenario on the bench's own Kafka broker (fresh, own ports,
 * state under .cache/bench-kafka, stopped at the end) and writes bench/results/latest.json and the generated
 * part of BENCHMARKS.md. `npm run bench:<scenario>` runs one scenario (plus the ceiling it divides by) and writes
 * bench/results/<scenario>.json only.
 *
 *   tsx bench/run.ts [scenario ...] [--smoke] [--profile] [--port 39092] [--out file.json] [--markdown file.md]
 *
 * Needs Java + Maven (the broker and the Kafka tools from Maven Central) and PostgreSQL (BENCH_DATABASE_URL,
 * default postgres://postgres@127.0.0.1:5432/kingbridge_bench, created and migrated when missing).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { format } from 'prettier';
import {
  UsageError,
  parseCliArgs,
  runCliCommand,
  runIfStartedAs,
} from '@kingbridge/config';
import { startBroker } from './lib/broker';
import { cleanupDatabase, prepareDatabase } from './lib/flows';
import { createContractTopics } from './lib/kafka';
import { load1, machineInfo } from './lib/proc';
import { ROOT } from './lib/records';
import { writeMarkdown } from './lib/report';
import {
  benchReportSchema,
  type BenchContext,
  type BenchReport,
  type Scenario,
  type ScenarioResult,
} from './lib/types';
import { ceilingScenario, CEILING_PARTITIONS } from './scenarios/ceiling';
import { SCENARIOS } from './scenarios';

const all: readonly Scenario[] = [ceilingScenario, ...SCENARIOS];

export const BENCH_USAGE = `usage: tsx bench/run.ts [scenario ...] [--smoke] [--profile] [--port 39092] [--out file.json] [--markdown file.md]
  scenarios: ${all.map((s) => s.name).join(', ')} (default: all, writing bench/results/latest.json and BENCHMARKS.md)
  --smoke     a short run on its own broker (results under .cache/bench-kafka)
  --profile   CPU profiles of the services under .cache/bench-kafka/profiles
  env: BENCH_DATABASE_URL, BENCH_KAFKA_PORT`;

function parseBenchArgs(argv: readonly string[]) {
  return parseCliArgs(argv, {
    allowPositionals: true,
    options: {
      smoke: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      port: { type: 'string', default: process.env['BENCH_KAFKA_PORT'] ?? '' },
      out: { type: 'string' },
      markdown: { type: 'string' },
    },
  });
}

function selected(positionals: readonly string[]): Scenario[] {
  const names = positionals.length > 0 ? positionals : all.map((s) => s.name);
  for (const n of names)
    if (!all.some((s) => s.name === n))
      throw new UsageError(
        `unknown scenario ${n} (known: ${all.map((s) => s.name).join(', ')})`,
      );
  const wanted = new Set(names);
  for (const s of all)
    if (wanted.has(s.name)) for (const d of s.needs ?? []) wanted.add(d);
  return all.filter((s) => wanted.has(s.name));
}

const load3 = (): number[] => loadavg().map((l) => Math.round(l * 100) / 100);

async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseBenchArgs(argv);
  const smoke = values.smoke;
  const scenarios = selected(positionals);
  const full = positionals.length === 0;
  const port = Number(values.port || (smoke ? 39094 : 39092));
  // A broker on another port gets its own state dir (two runs side by side never share one).
  const stateDir = join(
    ROOT,
    '.cache/bench-kafka',
    `${smoke ? 'smoke' : 'state'}${values.port ? `-${port}` : ''}`,
  );
  const out =
    values.out ??
    (smoke
      ? join(stateDir, 'results.json')
      : join(
          ROOT,
          'bench/results',
          `${full ? 'latest' : positionals.join('+')}.json`,
        ));
  const markdown =
    values.markdown ??
    (full && !smoke ? join(ROOT, 'BENCHMARKS.md') : undefined);
  const databaseUrl =
    process.env['BENCH_DATABASE_URL'] ??
    'postgres://postgres@127.0.0.1:5432/kingbridge_bench';
  const log = (message: string): void => {
    process.stderr.write(`bench [load ${load1()}]: ${message}\n`);
  };

  const startedAt = new Date().toISOString();
  const loadStart = load3();
  const machine = machineInfo();
  log(`preparing database and starting the bench broker on 127.0.0.1:${port}`);
  await prepareDatabase(databaseUrl);
  const broker = await startBroker({ port, stateDir });
  const results: ScenarioResult[] = [];
  const suffix = randomBytes(4).toString('hex');
  try {
    await createContractTopics(broker.connection, CEILING_PARTITIONS);
    const profileDir = values.profile
      ? join(ROOT, '.cache/bench-kafka/profiles')
      : undefined;
    if (profileDir) mkdirSync(profileDir, { recursive: true });
    const ctx: BenchContext = {
      broker,
      databaseUrl,
      smoke,
      suffix,
      profileDir,
      ceilings: new Map(),
      log,
    };
    for (const s of scenarios) {
      const before = load1();
      const t0 = performance.now();
      log(`scenario ${s.name}: ${s.title}`);
      const { rows, notes } = await s.run(ctx);
      results.push({
        name: s.name,
        title: s.title,
        rows,
        notes,
        loadAverage: { before, after: load1() },
        seconds: (performance.now() - t0) / 1000,
      });
      for (const r of rows) log(`  ${JSON.stringify(r)}`);
    }
  } finally {
    await broker.stop();
    await cleanupDatabase(databaseUrl, suffix).catch((err: unknown) =>
      log(`cleanup failed: ${String(err)}`),
    );
  }
  const report: BenchReport = benchReportSchema.parse({
    schemaVersion: 1,
    startedAt,
    finishedAt: new Date().toISOString(),
    smoke,
    machine,
    kafkaVersion: /<kafka\.version>([^<]+)</.exec(
      readFileSync(join(ROOT, 'deploy/local/kafka/pom.xml'), 'utf8'),
    )?.[1],
    loadAverage: { start: loadStart, end: load3() },
    scenarios: results,
  });
  mkdirSync(dirname(out), { recursive: true });
  // Formatted as the repo's prettier check wants it (the JSON is committed).
  writeFileSync(out, await format(JSON.stringify(report), { parser: 'json' }));
  log(`wrote ${out}`);
  if (markdown) {
    writeMarkdown(markdown, report);
    log(`wrote ${markdown}`);
  }
  return 0;
}

/** Runs the chosen scenarios; returns the exit code (2: usage). */
export function run(argv: readonly string[]): Promise<number> {
  return runCliCommand(argv, { name: 'bench', usage: BENCH_USAGE }, main);
}

runIfStartedAs('bench/run', 'bench', run);
