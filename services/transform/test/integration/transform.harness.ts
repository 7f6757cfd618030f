import { resolve } from 'node:path';
import {
  outboundDocumentSchema,
  outboundTopic,
  rawRecordSchema,
  type OutboundDocument,
  type RawRecord,
} from '@kingbridge/contracts';
import {
  rawTopic,
  sourceEntityIdSchema,
  sourcePlatformIdSchema,
} from '@kingbridge/source-registry';
import { createProducer, type KafkaProducer } from '@kingbridge/kafka';
import { createDataSource } from '@kingbridge/persistence';
import { contentHash } from '@kingbridge/pipeline-core';
import {
  cleanupFlow,
  pollUntil,
  seedLookups,
  ServiceProcess as TestServiceProcess,
  TEST_DATABASE_URL,
  testFlow as testFlowOf,
  testKafkaConnection,
  TopicCollector,
  transformEnv,
  uniqueName,
  writePlansDir,
  type TestFlow as TestFlowOf,
} from '@kingbridge/testing';
import type { SyncPlanInput } from '@kingbridge/transform-engine';
import type { DataSource } from 'typeorm';

// The transform under test (plan copies, lookups, env, cleanup, process) lives in @kingbridge/testing, shared with
// the pipeline tests of the services around it; re-exported here under the names this service's tests use.
export {
  cleanupFlow,
  seedLookups,
  TEST_DATABASE_URL,
  TopicCollector,
  transformEnv as serviceEnv,
  writePlansDir,
};

export const ROOT = resolve(__dirname, '../../../..');

/** A copy of a shipped plan, read as the transform reads plans. */
export type TestFlow = TestFlowOf<SyncPlanInput>;

export function testFlow(planFile: string, suffix: string): Promise<TestFlow> {
  return testFlowOf<SyncPlanInput>(planFile, suffix);
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

export function rawTopicOf(flow: TestFlow): string {
  // A plan's input type leaves platform and entity unknown: the registry's schemas read them.
  return rawTopic(
    sourcePlatformIdSchema.parse(flow.plan.source.platform),
    sourceEntityIdSchema.parse(flow.plan.source.entity),
  );
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

/** The transform as a child process (tsx), as it runs in production. */
export class ServiceProcess extends TestServiceProcess {
  constructor(env: Record<string, string>) {
    super('transform', env);
  }
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
  const env = transformEnv(
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
