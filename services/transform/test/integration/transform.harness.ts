import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  rawRecordSchema,
  rawTopic,
  type RawRecord,
} from '@kingbridge/contracts';
import {
  createBatchConsumer,
  createProducer,
  type BatchConsumer,
  type KafkaProducer,
} from '@kingbridge/kafka';
import { createDataSource } from '@kingbridge/persistence';
import { contentHash } from '@kingbridge/pipeline-core';
import {
  pollUntil,
  TEST_KAFKA_BROKERS,
  testKafkaConnection,
  uniqueName,
} from '@kingbridge/testing';
import type { SyncPlanInput } from '@kingbridge/transform-engine';
import { Registry } from 'prom-client';
import { parse } from 'yaml';
import type { z } from 'zod';

export const ROOT = resolve(__dirname, '../../../..');
export const TEST_DATABASE_URL =
  process.env['DATABASE_URL'] ??
  'postgres://postgres@127.0.0.1:5432/kingbridge_test';

export interface TestFlow {
  readonly id: string;
  readonly stream: string;
  readonly plan: SyncPlanInput;
  /** Lookup table name in this test: `<table>_<suffix>`. */
  table(name: string): string;
}

/**
 * Copies a shipped plan with a unique flow id, stream id and lookup table
 * names, so a test shares the fixed raw/outbound topics and the lookup table
 * without seeing anyone else's records.
 */
export async function testFlow(
  planFile: string,
  suffix: string,
): Promise<TestFlow> {
  const text = await readFile(join(ROOT, 'plans', planFile), 'utf8');
  const renamed = text.replace(
    /(_findCollection\s+find\s+\S+\s+from\s+)([a-z0-9_]+)/g,
    `$1$2_${suffix}`,
  );
  const plan = parse(renamed) as SyncPlanInput;
  const id = `${plan.id}-${suffix}`;
  const stream = `${plan.source.stream}.${suffix}`;
  return {
    id,
    stream,
    plan: { ...plan, id, source: { ...plan.source, stream } },
    table: (name) => `${name}_${suffix}`,
  };
}

export async function writePlansDir(
  flows: readonly TestFlow[],
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kb-transform-plans-'));
  for (const f of flows)
    await writeFile(join(dir, `${f.id}.json`), JSON.stringify(f.plan, null, 2));
  return dir;
}

/** A raw envelope as a source connector would publish it. */
export function rawRecord(
  flow: TestFlow,
  sourceId: string,
  payload: Record<string, unknown>,
): RawRecord {
  return rawRecordSchema.parse({
    schemaVersion: 1,
    platform: flow.plan.source.platform,
    entity: flow.plan.source.entity,
    stream: flow.stream,
    sourceId,
    modifiedAt: '2026-05-01T01:00:00.000Z',
    contentHash: contentHash(payload),
    payload,
    runId: 'it-run',
    fetchedAt: '2026-05-01T01:00:00.000Z',
  });
}

/** Loads lookup tables with the real CLI (`tsx scripts/lookups.ts load <file>`), as the main job does. */
export async function seedLookups(
  tables: Record<string, readonly Record<string, unknown>[]>,
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kb-lookups-'));
  const file = join(dir, 'tables.json');
  await writeFile(file, JSON.stringify(tables));
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      join(ROOT, 'node_modules/tsx/dist/cli.mjs'),
      'scripts/lookups.ts',
      'load',
      file,
    ],
    {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '', DATABASE_URL: TEST_DATABASE_URL },
    },
  );
  return stdout;
}

/** Removes what a test flow left in the test database (lookup tables `<name>_<suffix>`, merge state). */
export async function cleanupFlow(flow: TestFlow): Promise<void> {
  const ds = createDataSource({ url: TEST_DATABASE_URL });
  await ds.initialize();
  try {
    await ds.query(
      'DELETE FROM transform.lookup_row WHERE table_name LIKE $1',
      [`%${flow.table('')}`],
    );
    for (const table of [
      'merge_record',
      'merge_window',
      'merge_watermark',
      'merge_outbox',
    ]) {
      await ds.query(`DELETE FROM transform.${table} WHERE flow = $1`, [
        flow.id,
      ]);
    }
  } finally {
    await ds.destroy();
  }
}

export function rawTopicOf(flow: TestFlow): string {
  return rawTopic(flow.plan.source.platform, flow.plan.source.entity);
}

let producer: KafkaProducer | undefined;

export async function testProducer(): Promise<KafkaProducer> {
  if (!producer) {
    producer = createProducer(testKafkaConnection());
    await producer.connect();
  }
  return producer;
}

/** Publishes each record on its own (so the returned offsets are per record). */
export async function publish(
  topic: string,
  records: readonly RawRecord[],
): Promise<Array<{ partition: number; offset: string }>> {
  const p = await testProducer();
  const out: Array<{ partition: number; offset: string }> = [];
  for (const r of records) {
    const [written] = await p.sendJson(topic, rawRecordSchema, [
      { key: r.sourceId, value: r },
    ]);
    if (!written) throw new Error('produce returned no record');
    out.push({ partition: written.partition, offset: written.offset });
  }
  return out;
}

/** Collects the messages of a topic that match `keep`, with a unique group (reads from the beginning). */
export class TopicCollector<T> {
  readonly items: Array<{
    key: string | null;
    value: T;
    partition: number;
    offset: string;
  }> = [];
  private consumer: BatchConsumer | undefined;

  constructor(
    private readonly topic: string,
    private readonly schema: z.ZodType<T>,
    private readonly keep: (value: T) => boolean,
  ) {}

  async start(): Promise<this> {
    this.consumer = createBatchConsumer(testKafkaConnection(), {
      groupId: uniqueName('it-transform-collector'),
      topics: [this.topic],
      schema: this.schema,
      service: 'transform-test',
      registry: new Registry(),
      ensureDeadLetterTopics: false,
      maxWaitTimeMs: 200,
      handler: async (messages) => {
        for (const m of messages) {
          if (this.keep(m.value))
            this.items.push({
              key: m.key,
              value: m.value,
              partition: m.partition,
              offset: m.offset,
            });
        }
        return messages.map(() => ({ kind: 'done' as const }));
      },
    });
    await this.consumer.start();
    await pollUntil(() => this.consumer?.isReady(), {
      timeoutMs: 30_000,
      description: `collector on ${this.topic} ready`,
    });
    return this;
  }

  async waitFor(count: number, timeoutMs = 30_000): Promise<T[]> {
    await pollUntil(() => this.items.length >= count, {
      timeoutMs,
      description: `${count} messages on ${this.topic} (have ${this.items.length})`,
    });
    return this.items.map((i) => i.value);
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
  }
}

/** The transform as a child process (tsx), as it runs in production. */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private output = '';
  port: number | undefined;

  constructor(private readonly env: Record<string, string>) {}

  async start(): Promise<this> {
    this.output = '';
    this.port = undefined;
    const child = spawn(
      process.execPath,
      [
        join(ROOT, 'node_modules/tsx/dist/cli.mjs'),
        'services/transform/src/main.ts',
      ],
      {
        cwd: ROOT,
        env: { PATH: process.env['PATH'] ?? '', TZ: 'UTC', ...this.env },
        stdio: ['ignore', 'pipe', 'pipe'],
        // tsx runs the service in a child process: a process group lets kill -9 reach both.
        detached: true,
      },
    );
    this.child = child;
    const onData = (chunk: Buffer): void => {
      this.output += chunk.toString();
      const m = /"port":(\d+)[^\n]*"msg":"http listening"/.exec(this.output);
      if (m && this.port === undefined) this.port = Number(m[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    await pollUntil(() => this.port !== undefined || child.exitCode !== null, {
      timeoutMs: 30_000,
      description: 'transform http listening',
    });
    if (this.port === undefined)
      throw new Error(
        `transform exited (${String(child.exitCode)}):\n${this.output.slice(-2000)}`,
      );
    await pollUntil(
      async () => {
        const res = await fetch(`http://127.0.0.1:${this.port}/health/ready`);
        return res.status === 200;
      },
      { timeoutMs: 40_000, intervalMs: 200, description: 'transform ready' },
    );
    return this;
  }

  async metrics(): Promise<string> {
    const res = await fetch(`http://127.0.0.1:${this.port}/metrics`);
    return res.text();
  }

  /** kill -9: no shutdown hook runs, nothing is committed on the way out. */
  async kill9(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((done) =>
      child.once('exit', () => done()),
    );
    process.kill(-(child.pid as number), 'SIGKILL');
    await exited;
    await pollUntil(() => !this.groupAlive(), {
      timeoutMs: 5_000,
      intervalMs: 20,
      description: 'transform process group gone after SIGKILL',
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((done) =>
      child.once('exit', () => done()),
    );
    process.kill(-(child.pid as number), 'SIGTERM');
    await exited;
  }

  private groupAlive(): boolean {
    try {
      process.kill(-(this.child?.pid as number), 0);
      return true;
    } catch {
      return false;
    }
  }

  logs(): string {
    return this.output;
  }
}

/** Environment of a transform under test. */
export function serviceEnv(
  plansDir: string,
  groupId: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    DATABASE_URL: TEST_DATABASE_URL,
    KAFKA_BROKERS: TEST_KAFKA_BROKERS.join(','),
    HTTP_PORT: '0',
    PLANS_DIR: plansDir,
    TRANSFORM_GROUP_ID: groupId,
    LOG_LEVEL: 'info', // the harness reads the port from the 'http listening' line
    WINDOW_TICK_MS: '300',
    // A killed member holds its partitions until the session times out: keep that short in tests.
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    // Concurrent partitions in one process: merges of a flow must still serialise correctly.
    TRANSFORM_PARTITIONS_CONCURRENCY: '3',
    LOOKUP_CACHE_TTL_MS: '60000',
    ...extra,
  };
}
