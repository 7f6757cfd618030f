import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import {
  loadConfig,
  parseCliArgs,
  runCliCommand,
  runIfStartedAs,
} from '@kingbridge/config';
import {
  outboundDocumentSchema,
  type OutboundDocument,
} from '@kingbridge/contracts';
import {
  createKafkaConnection,
  createProducer,
  ensureTopics,
} from '@kingbridge/kafka';
import { createLogger } from '@kingbridge/observability';
import { Registry } from 'prom-client';
import { startChild } from './lib/child';
import {
  sinkKingdeeConfigSchema,
  SinkRuntime,
  sinkTopics,
} from '@kingbridge/sink-kingdee';

/*
 * Sink throughput, end to end: documents on a real Kafka outbound topic ->
 * sink runtime (ledger in Postgres, status events) -> K3Cloud simulator with
 * a fixed latency L per call. With `rows` R per BatchSave and concurrency C,
 * the ceiling is C·R/L rows/s; the issue asks for >= 90 % of it.
 *
 *   npx tsx bench/sink-throughput.ts --settings 500x2,200x4,100x8 --rows 20 --seconds 10
 *
 * Needs Kafka (bash deploy/local/kafka.sh up) and Postgres with migrations (npm run db:migrate).
 * The simulator runs in a child process (bench/sink-sim.process.ts), as a remote Kingdee would.
 */

export interface SimHandle {
  readonly url: string;
  readonly baseUrl: string;
  readonly acctId: string;
  /** `[billNo, firstWrittenAt, writeCount]` of every document of a form (bench/sink-sim.process.ts). */
  readonly writesUrl: string;
  readonly child: ChildProcess;
}

export type SimWrite = [
  billNo: string,
  firstWrittenAt: string,
  writeCount: number,
];

/** Every document of `formId` the simulator accepted: bill number, first write time, write count. */
export async function simWrites(
  sim: SimHandle,
  formId: string,
): Promise<SimWrite[]> {
  const res = await fetch(
    `${sim.writesUrl}?formId=${encodeURIComponent(formId)}`,
  );
  return (await res.json()) as SimWrite[];
}

/** `cpuProfDir`: the simulator process writes a V8 CPU profile there when it stops. */
export async function startSimulatorProcess(
  options: Record<string, unknown>,
  cpuProfDir?: string,
): Promise<SimHandle> {
  const { info, child } = await startChild<Omit<SimHandle, 'child'>>(
    'sink-sim.process.ts',
    options,
    cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [],
  );
  return { ...info, child };
}

export async function admin<T>(sim: SimHandle, path: string): Promise<T> {
  const res = await fetch(`${sim.url}/__admin/${path}`);
  return (await res.json()) as T;
}

const logger = createLogger('sink-bench', process.env['LOG_LEVEL'] ?? 'fatal');

export interface SinkRunOptions {
  readonly latencyMs: number;
  readonly concurrency: number;
  readonly rows: number;
  readonly seconds: number;
  readonly brokers: string;
  readonly databaseUrl: string;
  /** CPU profiles: the sink's (this process, while it drains) and the simulator's, in `<dir>/sink/`. */
  readonly profileDir?: string | undefined;
}

function document(flow: string, n: number, rows: number): OutboundDocument {
  const billNo = `${flow}-${n}`.toUpperCase();
  return outboundDocumentSchema.parse({
    schemaVersion: 1,
    flow,
    documentKey: `${flow}:${n}`,
    target: 'k3cloud',
    formId: 'SAL_OUTSTOCK',
    operation: 'BatchSave',
    options: { IsVerifyBaseDataField: true },
    billNo,
    batchRows: rows,
    document: {
      FBillTypeID: { FNumber: 'XSCKD01_SYS' },
      FBillNo: billNo,
      FDate: '2026-05-01 10:00:00',
      FStockOrgId: { FNumber: '100' },
      FSaleOrgId: { FNumber: '100' },
      FCustomerID: { FNumber: 'CUST0001' },
      FEntity: [
        {
          FMaterialID: { FNumber: 'SKU001' },
          FRealQty: 2,
          FStockID: { FNumber: 'CK001' },
        },
        {
          FMaterialID: { FNumber: 'SKU002' },
          FRealQty: 1,
          FStockID: { FNumber: 'CK001' },
        },
      ],
    },
    lineage: {
      platform: 'wdt',
      stream: 'bench',
      sourceIds: [String(n)],
      firstFetchedAt: new Date().toISOString(),
      rawOffsets: [],
    },
    createdAt: new Date().toISOString(),
  });
}

/** One setting: documents pre-filled on the outbound topic, the sink runtime drains them into the simulator. */
export async function runSinkSetting(
  options: SinkRunOptions,
): Promise<Record<string, string | number>> {
  const { latencyMs, concurrency, rows, seconds, brokers, databaseUrl } =
    options;
  const ceiling = (concurrency * rows * 1000) / latencyMs;
  const total = Math.ceil(ceiling * seconds);
  const profileDir = options.profileDir
    ? join(options.profileDir, 'sink')
    : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const sim = await startSimulatorProcess(
    {
      maxConcurrent: concurrency + 4,
      faults: { latency: { kind: 'fixed', ms: latencyMs } },
    },
    profileDir,
  );
  try {
    return await drain(
      sim,
      {
        latencyMs,
        concurrency,
        rows,
        seconds,
        brokers,
        databaseUrl,
        profileDir,
      },
      ceiling,
      total,
    );
  } finally {
    sim.child.kill('SIGTERM');
  }
}

async function drain(
  sim: SimHandle,
  options: SinkRunOptions,
  ceiling: number,
  total: number,
): Promise<Record<string, string | number>> {
  const { latencyMs, concurrency, rows, seconds, brokers, databaseUrl } =
    options;
  const id = randomBytes(4).toString('hex');
  const flow = `bench-${id}`;
  const config = loadConfig(sinkKingdeeConfigSchema, {
    SINK_TARGETS: 'k3cloud',
    TOPIC_PREFIX: `bench-${id}.`,
    SINK_GROUP_ID: `bench-sink-${id}`,
    K3CLOUD_BASE_URL: sim.baseUrl,
    K3CLOUD_ACCT_ID: sim.acctId,
    K3CLOUD_PASSWORD: 'Kb@2026!',
    K3CLOUD_CONCURRENCY: String(concurrency),
    SINK_LINGER_MS: '50',
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: brokers,
    LOG_LEVEL: 'error',
  });
  const connection = createKafkaConnection({
    brokers: config.KAFKA_BROKERS,
    clientId: 'sink-bench',
    logger,
  });
  const topic = sinkTopics(config).outbound.get('k3cloud') ?? '';
  await ensureTopics(connection, [
    { name: topic, partitions: 6 },
    { name: `${topic}.dlq`, partitions: 1 },
    { name: sinkTopics(config).status, partitions: 3 },
  ]);
  const producer = createProducer(connection);
  await producer.connect();
  for (let i = 0; i < total; i += 500) {
    const docs = Array.from({ length: Math.min(500, total - i) }, (_, k) =>
      document(flow, i + k, rows),
    );
    await producer.sendJson(
      topic,
      outboundDocumentSchema,
      docs.map((d) => ({ key: d.documentKey, value: d })),
    );
  }
  await producer.disconnect();

  const registry = new Registry();
  const runtime = new SinkRuntime({ config, logger, registry });
  const profiler = options.profileDir ? await startProfiler() : undefined;
  const started = Date.now();
  await runtime.start();
  // The sink's CPU from here (consuming; connecting left out): this process while it drains (the simulator
  // runs in its own; the poll below is negligible).
  const cpuBefore = process.cpuUsage();
  for (;;) {
    const { documents } = await admin<{ documents: number }>(sim, 'stats');
    if (documents >= total) break;
    if (Date.now() - started > (seconds * 6 + 60) * 1000)
      throw new Error(`only ${documents}/${total} written`);
    await new Promise((r) => setTimeout(r, 200));
  }
  await runtime.stop();
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  if (profiler && options.profileDir)
    await profiler.stop(
      join(options.profileDir, `sink-L${latencyMs}-${id}.cpuprofile`),
    );
  const stats = await admin<{
    maxConcurrent: number;
    rejectedOverLimit: number;
  }>(sim, 'stats');
  const written = await simWrites(sim, 'SAL_OUTSTOCK');

  const times = written
    .map(([, firstWrittenAt]) => Date.parse(firstWrittenAt))
    .sort((a, b) => a - b);
  const at = (q: number): number =>
    times[Math.min(times.length - 1, Math.floor(q * (times.length - 1)))] ?? 0;
  const sustained = (0.8 * total) / ((at(0.9) - at(0.1)) / 1000);
  const overall = total / ((at(1) - at(0)) / 1000);
  const duplicates = written.filter(
    ([, , writeCount]) => writeCount !== 1,
  ).length;
  // Mean observed request time (simulator latency + HTTP + both event loops on a shared machine).
  const histogram =
    (
      await registry
        .getSingleMetric('kingbridge_sink_request_duration_seconds')
        ?.get()
    )?.values ?? [];
  const named = histogram as ReadonlyArray<{
    value: number;
    metricName?: string;
  }>;
  const sum = named
    .filter((v) => v.metricName?.endsWith('_sum'))
    .reduce((a, v) => a + v.value, 0);
  const count = named
    .filter((v) => v.metricName?.endsWith('_count'))
    .reduce((a, v) => a + v.value, 0);
  const meanRequestMs = count > 0 ? (1000 * sum) / count : 0;
  const observedCeiling =
    meanRequestMs > 0 ? (concurrency * rows * 1000) / meanRequestMs : 0;
  return {
    'L ms': latencyMs,
    C: concurrency,
    R: rows,
    documents: total,
    'ceiling rows/s': Math.round(ceiling),
    'sustained rows/s (p10-p90)': Math.round(sustained),
    'ratio to C·R/L': Math.round((100 * sustained) / ceiling) / 100,
    'overall rows/s': Math.round(overall),
    'mean request ms': Math.round(meanRequestMs),
    // What a request costs beyond the simulator's latency (HTTP, both event loops, the client's work).
    'overhead ms (mean − L)': Math.round(meanRequestMs - latencyMs),
    'ratio to C·R/mean':
      observedCeiling > 0
        ? Math.round((100 * sustained) / observedCeiling) / 100
        : 0,
    'max in flight': stats.maxConcurrent,
    'over limit': stats.rejectedOverLimit,
    'rewritten docs': duplicates,
    'sink CPU s / 1k docs': Math.round((1e6 * cpuSeconds) / total) / 1000,
  };
}

/** A V8 CPU profile of this process (the sink runs in it), from now until `stop(file)`. */
async function startProfiler(): Promise<{
  stop(file: string): Promise<void>;
}> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop(file) {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

export const SINK_THROUGHPUT_USAGE = `usage: tsx bench/sink-throughput.ts [--settings 500x2,200x4,100x8] [--rows 20] [--seconds 10]
  --settings  simulator latency (ms) x sink concurrency per run, comma separated
  env: KAFKA_BROKERS, DATABASE_URL`;

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseCliArgs(argv, {
    options: {
      settings: { type: 'string', default: '500x2,200x4,100x8' },
      rows: { type: 'string', default: '20' },
      seconds: { type: 'string', default: '10' },
    },
  });
  const settings = values.settings.split(',').map((s) => {
    const [l, c] = s.split('x').map(Number);
    return { latencyMs: l ?? 200, concurrency: c ?? 4 };
  });
  const results = [];
  for (const s of settings) {
    const result = await runSinkSetting({
      ...s,
      rows: Number(values.rows),
      seconds: Number(values.seconds),
      brokers: process.env['KAFKA_BROKERS'] ?? '127.0.0.1:19092',
      databaseUrl:
        process.env['DATABASE_URL'] ??
        'postgres://postgres@127.0.0.1:5432/kingbridge',
    });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    results.push(result);
  }
  const head = Object.keys(results[0] ?? {});
  process.stdout.write(
    `\n| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|\n`,
  );
  for (const r of results)
    process.stdout.write(`| ${head.map((h) => String(r[h])).join(' | ')} |\n`);
  return 0;
}

/** Runs the sink settings; returns the exit code (2: usage). */
export function run(argv: readonly string[]): Promise<number> {
  return runCliCommand(
    argv,
    { name: 'sink-throughput', usage: SINK_THROUGHPUT_USAGE },
    main,
  );
}

// Run as a script (not when the harness imports runSinkSetting).
runIfStartedAs('bench/sink-throughput', 'sink-throughput', run);
