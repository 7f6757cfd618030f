import {
  outboundDocumentSchema,
  outboundTopic,
  type OutboundDocument,
  type RawRecord,
} from '@kingbridge/contracts';
import {
  createDeadLetterPublisher,
  type ConsumedMessage,
  type KafkaProducer,
} from '@kingbridge/kafka';
import { createLogger } from '@kingbridge/observability';
import { createDataSource } from '@kingbridge/persistence';
import { pollUntil, uniqueName } from '@kingbridge/testing';
import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawBatchProcessor } from '../../src/consumer/raw-batch.processor';
import { loadFlows, type Flow } from '../../src/flows/load-flows';
import { PostgresLookupProvider } from '../../src/lookups/postgres-lookup.provider';
import { MergeStateRepository } from '../../src/merge/merge-state.repository';
import { WindowEmitter } from '../../src/merge/window-emitter';
import { TransformMetrics } from '../../src/metrics/transform.metrics';
import {
  TEST_DATABASE_URL,
  TopicCollector,
  cleanupFlow,
  jackyunOrder,
  publishToPartition,
  rawTopicOf,
  seedLookups,
  testFlow,
  testProducer,
  writePlansDir,
  type TestFlow,
} from './transform.harness';

/*
 * Merged documents when records change after their window was written, and when the emitter dies between the
 * produce and its bookkeeping: the real RawBatchProcessor and WindowEmitter over real Kafka (raw records are
 * published and handed over with their real offsets; documents are read back from the outbound topic) and the
 * real Postgres merge state. Every test checks the one invariant that matters in Kingdee: per group, the
 * documents (base + corrections, each document key once) add up to the latest versions of the source records.
 */

const SHOP = 'SHOP-C';

interface Line {
  readonly goods: string;
  readonly qty: number;
  readonly fee: string;
}

function order(
  flow: TestFlow,
  no: string,
  consignTime: string,
  lines: readonly Line[],
  opts: { status?: number; modifiedAt?: string } = {},
): RawRecord {
  return jackyunOrder(
    flow,
    no,
    SHOP,
    consignTime,
    lines.map((l) => ({
      goods: l.goods,
      qty: l.qty,
      cents: Math.round(Number(l.fee) * 100),
    })),
    { ...opts, modifiedAt: opts.modifiedAt ?? '2026-04-01T02:00:00.000Z' },
  );
}

/** Σ FRealQty per group (bill number without its correction suffix) over distinct document keys. */
function qtyByBill(docs: readonly OutboundDocument[]): Record<string, number> {
  const seen = new Set<string>();
  const out: Record<string, number> = {};
  for (const d of docs) {
    if (seen.has(d.documentKey)) continue;
    seen.add(d.documentKey);
    const bill = d.billNo.replace(/-C[0-9A-F]{6}$/, '');
    const rows = (d.document['FEntity'] ?? []) as Array<{ FRealQty: unknown }>;
    for (const r of rows) out[bill] = (out[bill] ?? 0) + Number(r.FRealQty);
  }
  return out;
}

/** A producer that acknowledges the outbound produce, then "dies" before the emitter can record it. */
function dyingAfterProduce(real: KafkaProducer): KafkaProducer {
  return {
    ...real,
    async send(topic, messages) {
      await real.send(topic, messages);
      throw new Error('killed after the produce was acknowledged');
    },
    async sendJson(topic, schema, messages) {
      await real.sendJson(topic, schema, messages);
      throw new Error('killed after the produce was acknowledged');
    },
  };
}

describe('transform: merged records that change after their document was written', () => {
  let db: DataSource;
  let outbound: TopicCollector<OutboundDocument>;
  const made: TestFlow[] = [];
  let now = Date.parse('2026-04-05T00:00:00.000Z');
  const clock = (): number => now;

  interface Rig {
    readonly flow: TestFlow;
    readonly compiled: Flow;
    readonly processor: RawBatchProcessor;
    emitter(producer?: KafkaProducer): WindowEmitter;
    handle(records: readonly RawRecord[]): Promise<void>;
    docs(): OutboundDocument[];
  }

  async function rig(
    overrides: { MERGE_DEDUP_RETENTION?: string } = {},
  ): Promise<Rig> {
    const flow = await testFlow(
      'jackyun-retail-orders-to-k3cloud-outstock.yaml',
      uniqueName('it').replace('-', ''),
    );
    made.push(flow);
    await seedLookups({
      [flow.table('orgs')]: [
        { shop_code: SHOP, sale_org_number: '101', stock_org_number: '201' },
      ],
    });
    const lookups = new PostgresLookupProvider(db, 0, clock);
    const [compiled] = await loadFlows(
      {
        PLANS_DIR: await writePlansDir([flow]),
        MERGE_WINDOW_SIZE: undefined,
        MERGE_GRACE: '0s',
        MERGE_IDLE_TIMEOUT: '1h',
        MERGE_DEDUP_RETENTION: overrides.MERGE_DEDUP_RETENTION,
      },
      lookups,
      clock,
    );
    if (!compiled) throw new Error('no flow loaded');
    const producer = await testProducer();
    const logger = createLogger('transform-it', 'error');
    const deps = {
      flows: [compiled],
      lookups,
      repository: new MergeStateRepository(db),
      producer,
      deadLetters: createDeadLetterPublisher(producer, {
        service: 'transform',
      }),
      metrics: new TransformMetrics(new Registry()),
      logger,
    };
    const processor = new RawBatchProcessor(deps);
    return {
      flow,
      compiled,
      processor,
      emitter: (p = producer) =>
        new WindowEmitter({ ...deps, producer: p, limit: 50, clock }),
      async handle(records) {
        // One raw partition: its event time is the flow's watermark (several partitions: their minimum, see
        // merge-catch-up.integration-spec.ts), so a record of the next day closes the day before.
        const offsets = await publishToPartition(rawTopicOf(flow), 0, records);
        const messages: ConsumedMessage<RawRecord>[] = records.map((r, i) => ({
          topic: rawTopicOf(flow),
          partition: offsets[i]?.partition ?? 0,
          offset: offsets[i]?.offset ?? '0',
          key: r.sourceId,
          value: r,
          headers: {},
          timestamp: String(now),
          attempt: 1,
          raw: {
            key: Buffer.from(r.sourceId),
            value: Buffer.from(JSON.stringify(r)),
            headers: {},
          },
        }));
        await processor.handle(messages);
      },
      docs: () =>
        outbound.items.map((i) => i.value).filter((d) => d.flow === flow.id),
    };
  }

  beforeAll(async () => {
    db = createDataSource({ url: TEST_DATABASE_URL });
    await db.initialize();
    outbound = await new TopicCollector(
      outboundTopic('k3cloud'),
      outboundDocumentSchema,
      (d) => made.some((f) => f.id === d.flow),
    ).start();
  });

  afterAll(async () => {
    await outbound?.stop();
    for (const f of made) await cleanupFlow(f);
    await db?.destroy();
  });

  const waitDocs = async (r: Rig, n: number): Promise<OutboundDocument[]> => {
    await pollUntil(() => r.docs().length >= n, {
      timeoutMs: 20_000,
      description: `${n} documents of ${r.flow.id} (have ${r.docs().length})`,
    });
    return r.docs();
  };

  it('should never write a bigger document under a written key when the emitter dies between produce and commit and a record arrives before re-emission', async () => {
    const r = await rig();
    await r.handle([
      order(r.flow, `${r.flow.id}-1`, '2026-04-01 10:00:00', [
        { goods: 'G1', qty: 2, fee: '20' },
      ]),
      // Moves the watermark past 04-01: that window is due.
      order(r.flow, `${r.flow.id}-next`, '2026-04-02 10:00:00', [
        { goods: 'G1', qty: 1, fee: '10' },
      ]),
    ]);
    const dying = r.emitter(dyingAfterProduce(await testProducer()));
    await dying.tick();
    await waitDocs(r, 1);

    // The restarted consumer runs before the emitter's first tick: a new record for the same day.
    await r.handle([
      order(r.flow, `${r.flow.id}-2`, '2026-04-01 11:00:00', [
        { goods: 'G1', qty: 5, fee: '50' },
      ]),
    ]);
    now += 2 * 3_600_000; // past the correction's idle timeout
    await r.emitter().tick();

    await pollUntil(() => r.docs().some((d) => d.correctionOf !== undefined), {
      timeoutMs: 20_000,
      description: 'the correction with the late record',
    });
    const docs = r.docs();
    const byKey = new Map<string, string>();
    for (const d of docs) {
      const body = JSON.stringify(d.document);
      // Every copy of one document key carries exactly the same content.
      expect(byKey.get(d.documentKey) ?? body).toBe(body);
      byKey.set(d.documentKey, body);
    }
    expect(qtyByBill(docs)[`JKY20260401-${SHOP}-WH-1`]).toBe(7);
  });

  it('should write a correction on both days with the exact delta when a shipped order moves to the next day after its day was written', async () => {
    const r = await rig();
    const a = order(r.flow, `${r.flow.id}-a`, '2026-04-01 10:00:00', [
      { goods: 'G1', qty: 2, fee: '20' },
    ]);
    await r.handle([
      a,
      order(r.flow, `${r.flow.id}-b`, '2026-04-01 12:00:00', [
        { goods: 'G1', qty: 1, fee: '10' },
      ]),
      order(r.flow, `${r.flow.id}-c`, '2026-04-02 09:00:00', [
        { goods: 'G2', qty: 4, fee: '40' },
      ]),
    ]);
    await r.emitter().tick();
    await waitDocs(r, 1);

    // Re-shipped on 04-02: its consign time moves into the next (still open) window.
    await r.handle([
      order(
        r.flow,
        a.sourceId,
        '2026-04-02 15:00:00',
        [{ goods: 'G1', qty: 2, fee: '20' }],
        {
          modifiedAt: '2026-04-02T07:00:00.000Z',
        },
      ),
      order(r.flow, `${r.flow.id}-close`, '2026-04-03 09:00:00', [
        { goods: 'G3', qty: 1, fee: '1' },
      ]),
    ]);
    now += 2 * 3_600_000;
    await r.emitter().tick();

    await pollUntil(
      () =>
        r.docs().filter((d) => d.billNo.startsWith('JKY20260401-')).length ===
          2 && r.docs().some((d) => d.billNo.startsWith('JKY20260402-')),
      {
        timeoutMs: 20_000,
        description: 'the correction of 04-01 and the 04-02 bill',
      },
    );
    const docs = r.docs();
    const day1 = docs.filter((d) => d.billNo.startsWith(`JKY20260401-`));
    expect(day1).toHaveLength(2);
    expect(day1[1]?.correctionOf).toBe(day1[0]?.documentKey);
    expect(day1[1]?.document['FEntity']).toMatchObject([
      { FRealQty: -2, FAllAmount: -20 },
    ]);
    expect(qtyByBill(docs)).toMatchObject({
      [`JKY20260401-${SHOP}-WH-1`]: 1,
      [`JKY20260402-${SHOP}-WH-1`]: 6,
    });
  });

  it('should write negative lines for an order cancelled after its day was written, and ignore an older version replayed after it', async () => {
    const r = await rig();
    const a = order(r.flow, `${r.flow.id}-a`, '2026-04-01 10:00:00', [
      { goods: 'G1', qty: 2, fee: '20' },
      { goods: 'G2', qty: 3, fee: '30' },
    ]);
    await r.handle([
      a,
      order(r.flow, `${r.flow.id}-b`, '2026-04-01 11:00:00', [
        { goods: 'G1', qty: 1, fee: '10' },
      ]),
      order(r.flow, `${r.flow.id}-next`, '2026-04-02 10:00:00', [
        { goods: 'G1', qty: 1, fee: '10' },
      ]),
    ]);
    await r.emitter().tick();
    await waitDocs(r, 1);

    // Cancelled after shipping (status below the plan's filter), then a backfill replays the shipped version.
    await r.handle([
      order(
        r.flow,
        a.sourceId,
        '2026-04-01 10:00:00',
        a.payload['GoodsDetail'] as never,
        {
          status: 5010,
          modifiedAt: '2026-04-03T00:00:00.000Z',
        },
      ),
    ]);
    await r.handle([a]);
    now += 2 * 3_600_000;
    await r.emitter().tick();

    // The same tick closes the idle 04-02 window too: wait for both, they may arrive in either order.
    await pollUntil(
      () =>
        r.docs().some((d) => d.correctionOf !== undefined) &&
        r.docs().some((d) => d.billNo.startsWith('JKY20260402-')),
      {
        timeoutMs: 20_000,
        description:
          'the correction with the negative lines and the 04-02 bill',
      },
    );
    const docs = r.docs();
    const correction = docs.find((d) => d.correctionOf !== undefined);
    expect(correction?.document['FEntity']).toMatchObject([
      { FRealQty: -2 },
      { FRealQty: -3 },
    ]);
    expect(qtyByBill(docs)[`JKY20260401-${SHOP}-WH-1`]).toBe(1);
    // Nothing else is pending: the replayed older version changed nothing.
    const written = r.docs().length;
    now += 2 * 3_600_000;
    await r.emitter().tick();
    const pending = (await db.query(
      `SELECT (SELECT count(*) FROM transform.merge_window WHERE flow = $1 AND status = 'open')::int
            + (SELECT count(*) FROM transform.merge_outbox WHERE flow = $1)::int AS n`,
      [r.flow.id],
    )) as Array<{ n: number }>;
    expect(pending[0]?.n).toBe(0);
    expect(r.docs()).toHaveLength(written);
  });

  it('should keep the newest version when an older one is replayed into an open window', async () => {
    const r = await rig();
    const id = `${r.flow.id}-v`;
    await r.handle([
      order(
        r.flow,
        id,
        '2026-04-01 10:00:00',
        [{ goods: 'G1', qty: 3, fee: '30' }],
        {
          modifiedAt: '2026-04-01T05:00:00.000Z',
        },
      ),
    ]);
    await r.handle([
      order(
        r.flow,
        id,
        '2026-04-01 10:00:00',
        [{ goods: 'G1', qty: 1, fee: '10' }],
        {
          modifiedAt: '2026-04-01T03:00:00.000Z',
        },
      ),
      order(r.flow, `${r.flow.id}-next`, '2026-04-02 10:00:00', [
        { goods: 'G9', qty: 1, fee: '1' },
      ]),
    ]);
    await r.emitter().tick();
    const docs = await waitDocs(r, 1);
    expect(qtyByBill(docs)).toEqual({ [`JKY20260401-${SHOP}-WH-1`]: 3 });
  });

  it('should drop a redelivery after the dedup retention instead of writing it again as a correction', async () => {
    const r = await rig({ MERGE_DEDUP_RETENTION: '1d' });
    const a = order(r.flow, `${r.flow.id}-a`, '2026-04-01 10:00:00', [
      { goods: 'G1', qty: 2, fee: '20' },
    ]);
    await r.handle([
      a,
      order(r.flow, `${r.flow.id}-next`, '2026-04-02 10:00:00', [
        { goods: 'G1', qty: 1, fee: '10' },
      ]),
    ]);
    await r.emitter().tick();
    await waitDocs(r, 1);
    // Ten days later the 04-01 window is past its retention and pruned (the clock is past the record's time).
    now += 8 * 86_400_000;
    await r.handle([
      order(r.flow, `${r.flow.id}-later`, '2026-04-12 10:00:00', [
        { goods: 'G1', qty: 1, fee: '10' },
      ]),
    ]);
    await r.emitter().tick();
    await waitDocs(r, 2);

    await r.handle([a]); // a backfill or DLQ replay of the old record
    now += 2 * 3_600_000;
    await r.emitter().tick();
    // Nothing was produced for it: no correction pending, nothing in the outbox, none on the topic.
    const pending = (await db.query(
      `SELECT (SELECT count(*) FROM transform.merge_window WHERE flow = $1 AND window_key LIKE '%#late')::int
            + (SELECT count(*) FROM transform.merge_outbox WHERE flow = $1)::int AS n`,
      [r.flow.id],
    )) as Array<{ n: number }>;
    expect(pending[0]?.n).toBe(0);
    const docs = r.docs();
    expect(docs.filter((d) => d.correctionOf !== undefined)).toEqual([]);
    expect(qtyByBill(docs)).toMatchObject({
      [`JKY20260401-${SHOP}-WH-1`]: 2,
      [`JKY20260402-${SHOP}-WH-1`]: 1,
    });
  });

  it('should write yesterday as one base bill when a first start reads it behind a watermark already at today', async () => {
    const r = await rig();
    // A live order of today arrives first, then the catch-up reads yesterday's history in pages.
    await r.handle([
      order(r.flow, `${r.flow.id}-today`, '2026-04-02 10:00:00', [
        { goods: 'G1', qty: 1, fee: '1' },
      ]),
    ]);
    for (let page = 0; page < 3; page += 1) {
      await r.handle(
        [0, 1].map((i) =>
          order(
            r.flow,
            `${r.flow.id}-y${page}${i}`,
            `2026-04-01 0${page + 1}:0${i}:00`,
            [{ goods: 'G1', qty: 1, fee: '1' }],
          ),
        ),
      );
      await r.emitter().tick(); // ticks in between pages must not close yesterday
      now += 60_000;
    }
    now += 2 * 3_600_000; // the catch-up went quiet
    await r.emitter().tick();

    // Both days close on this idle tick; their documents may arrive in either order.
    await pollUntil(
      () =>
        r.docs().some((d) => d.billNo.startsWith('JKY20260401-')) &&
        r.docs().some((d) => d.billNo.startsWith('JKY20260402-')),
      { timeoutMs: 20_000, description: 'the bills of 04-01 and 04-02' },
    );
    const docs = r.docs();
    const yesterday = docs.filter((d) => d.billNo.startsWith('JKY20260401-'));
    expect(yesterday.map((d) => d.correctionOf)).toEqual([undefined]);
    expect(qtyByBill(docs)[`JKY20260401-${SHOP}-WH-1`]).toBe(6);
  });
});
