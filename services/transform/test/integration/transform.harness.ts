import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  outboundDocumentSchema,
  outboundTopic,
  rawRecordSchema,
  type OutboundDocument,
  type RawRecord,
} from '@kingbridge/contracts';
import { rawTopic } from '@kingbridge/source-registry';
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
import type { DataSource } from 'typeorm';
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

/** Publishes records to one explicit partition, in order (a partition at its own event time). */
export async function publishToPartition(
  topic: string,
  partition: number,
  records: readonly RawRecord[],
): Promise<Array<{ partition: number; offset: string }>> {
  const p = await testProducer();
  const out: Array<{ partition: number; offset: string }> = [];
  for (const r of records) {
    const [written] = await p.send(topic, [
      {
        key: r.sourceId,
        value: JSON.stringify(rawRecordSchema.parse(r)),
        partition,
      },
    ]);
    if (!written) throw new Error('produce returned no record');
    out.push({ partition: written.partition, offset: written.offset });
  }
  return out;
}

/**
 * Publishes `make(partition)` to every partition of the topic. A merge flow's watermark is the minimum event time
 * over the partitions it reads, so a record of a later day closes the earlier days only once every partition
 * holding the flow's records has one (or has been idle for the idle timeout).
 */
export async function publishToEveryPartition(
  topic: string,
  make: (partition: number) => RawRecord,
): Promise<Array<{ partition: number; offset: string }>> {
  const partitions = (
    await testKafkaConnection().admin.fetchHighWatermarks(topic)
  ).map((p) => p.partition);
  const out: Array<{ partition: number; offset: string }> = [];
  for (const partition of partitions.sort((a, b) => a - b))
    out.push(
      ...(await publishToPartition(topic, partition, [make(partition)])),
    );
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

  /** Waits until the process exited on its own (e.g. a test fault point SIGKILLed it), and its group is gone. */
  async exited(timeoutMs = 60_000): Promise<void> {
    const child = this.child;
    if (!child) throw new Error('transform never started');
    await pollUntil(
      () => child.exitCode !== null || child.signalCode !== null,
      { timeoutMs, description: 'transform process exited' },
    );
    if (this.groupAlive()) process.kill(-(child.pid as number), 'SIGKILL');
    await pollUntil(() => !this.groupAlive(), {
      timeoutMs: 5_000,
      intervalMs: 20,
      description: 'transform process group gone',
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

/** A copy of the shipped Jackyun retail merge plan with org lookups for `shops`, the service env and a collector. */
export interface MergeFlowRig {
  readonly flow: TestFlow;
  readonly db: DataSource;
  readonly env: Record<string, string>;
  readonly outbound: TopicCollector<OutboundDocument>;
  /** Stops the collector, closes the database, removes the flow's rows. */
  close(): Promise<void>;
}

export async function jackyunMergeRig(
  shops: readonly string[],
  envExtra: Record<string, string>,
): Promise<MergeFlowRig> {
  const flow = await testFlow(
    'jackyun-retail-orders-to-k3cloud-outstock.yaml',
    uniqueName('it').replace('-', ''),
  );
  await seedLookups({
    [flow.table('orgs')]: shops.map((shop, i) => ({
      shop_code: shop,
      sale_org_number: String(101 + i),
      stock_org_number: String(201 + i),
    })),
  });
  const db = createDataSource({ url: TEST_DATABASE_URL });
  await db.initialize();
  const env = serviceEnv(
    await writePlansDir([flow]),
    uniqueName('it-transform'),
    envExtra,
  );
  const outbound = await new TopicCollector(
    outboundTopic('k3cloud'),
    outboundDocumentSchema,
    (d) => d.flow === flow.id,
  ).start();
  return {
    flow,
    db,
    env,
    outbound,
    async close() {
      await outbound.stop();
      await db.destroy();
      await cleanupFlow(flow);
    },
  };
}

export interface OrderLine {
  readonly goods: string;
  readonly qty: number;
  /** Amount in cents (exact). */
  readonly cents: number;
}

function money(cents: number): string {
  const c = Math.abs(cents);
  return `${cents < 0 ? '-' : ''}${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
}

/** A Jackyun retail order (PascalCase, as the direct gateway answers), shipped unless `status` says otherwise. */
export function jackyunOrder(
  flow: TestFlow,
  no: string,
  shop: string,
  consignTime: string,
  lines: readonly OrderLine[],
  opts: { status?: number; modifiedAt?: string } = {},
): RawRecord {
  const payload = {
    TradeId: no,
    TradeNo: no,
    TradeStatus: opts.status ?? 9090,
    TradeType: 1,
    Shopcode: shop,
    WarehouseCode: 'WH-1',
    ConsignTime: consignTime,
    GoodsDetail: lines.map((l) => ({
      GoodsNo: l.goods,
      SellCount: l.qty,
      ShareFavourableAfterFee: money(l.cents),
    })),
  };
  const at = opts.modifiedAt ?? '2026-07-01T02:00:00.000Z';
  return rawRecordSchema.parse({
    schemaVersion: 1,
    platform: flow.plan.source.platform,
    entity: flow.plan.source.entity,
    stream: flow.stream,
    sourceId: no,
    modifiedAt: at,
    contentHash: contentHash(payload),
    payload,
    runId: 'it-run',
    fetchedAt: at,
  });
}

/** The lines of a Jackyun order record. */
export function orderLines(r: RawRecord): OrderLine[] {
  return (r.payload['GoodsDetail'] as Array<Record<string, unknown>>).map(
    (l) => ({
      goods: l['GoodsNo'] as string,
      qty: Number(l['SellCount']),
      cents: Math.round(Number(l['ShareFavourableAfterFee']) * 100),
    }),
  );
}

/** Bill number (without correction suffix) -> goods -> quantity and cents. */
export type BillTotals = Record<
  string,
  Record<string, { qty: number; cents: number }>
>;

function addLine(totals: BillTotals, bill: string, line: OrderLine): void {
  const byGoods = (totals[bill] ??= {});
  const t = (byGoods[line.goods] ??= { qty: 0, cents: 0 });
  t.qty += line.qty;
  t.cents += line.cents;
  if (t.qty === 0 && t.cents === 0) delete byGoods[line.goods];
}

/** Σ over the documents, each document key once, per bill (without its correction suffix) and goods. */
export function documentTotals(docs: readonly OutboundDocument[]): BillTotals {
  const seen = new Set<string>();
  const totals: BillTotals = {};
  for (const d of docs) {
    if (seen.has(d.documentKey)) continue;
    seen.add(d.documentKey);
    const bill = d.billNo.replace(/-C[0-9A-F]{6}$/, '');
    totals[bill] ??= {};
    for (const r of (d.document['FEntity'] ?? []) as Array<
      Record<string, unknown>
    >)
      addLine(totals, bill, {
        goods: (r['FMaterialID'] as { FNumber: string }).FNumber,
        qty: Number(r['FRealQty']),
        cents: Math.round(Number(r['FAllAmount']) * 100),
      });
  }
  return totals;
}

/**
 * Σ over the latest versions of Jackyun orders that pass the plan's filter (shipped), per bill
 * `JKY<yyyyMMdd of the consign day>-<shop>-WH-1`; `day` maps a consign time to its business day.
 */
export function sourceTotals(
  latest: readonly RawRecord[],
  day: (consignTime: string) => string = (t) => t.slice(0, 10),
): BillTotals {
  const totals: BillTotals = {};
  for (const r of latest) {
    const d = day(r.payload['ConsignTime'] as string);
    const bill = `JKY${d.replace(/-/g, '')}-${r.payload['Shopcode'] as string}-WH-1`;
    totals[bill] ??= {};
    if (Number(r.payload['TradeStatus']) < 6000) continue;
    for (const l of orderLines(r)) addLine(totals, bill, l);
  }
  return totals;
}

/** Totals as one comparable string (bills and goods sorted; the objects keep insertion order). */
export function totalsText(totals: BillTotals): string {
  return JSON.stringify(
    Object.keys(totals)
      .sort()
      .map((bill) => [
        bill,
        Object.entries(totals[bill] ?? {}).sort(([a], [b]) =>
          a < b ? -1 : a > b ? 1 : 0,
        ),
      ]),
  );
}

/** Waits until a consumer group committed past these offsets (everything up to them was handled). */
export async function committedPast(
  groupId: string,
  topic: string,
  written: ReadonlyArray<{ partition: number; offset: string }>,
): Promise<void> {
  await pollUntil(
    async () => {
      const committed = await testKafkaConnection().admin.fetchCommittedOffsets(
        groupId,
        topic,
      );
      return written.every((w) => {
        const c = committed.find((x) => x.partition === w.partition);
        return c !== undefined && BigInt(c.offset) > BigInt(w.offset);
      });
    },
    { timeoutMs: 180_000, description: 'records consumed and committed' },
  );
}
