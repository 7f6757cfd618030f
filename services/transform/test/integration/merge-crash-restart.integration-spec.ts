import {
  outboundDocumentSchema,
  outboundTopic,
  type OutboundDocument,
  type RawRecord,
} from '@kingbridge/contracts';
import { createDataSource } from '@kingbridge/persistence';
import {
  pollUntil,
  testKafkaConnection,
  uniqueName,
} from '@kingbridge/testing';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ServiceProcess,
  TEST_DATABASE_URL,
  TopicCollector,
  cleanupFlow,
  publish,
  publishToEveryPartition,
  seedLookups,
  rawRecord,
  rawTopicOf,
  serviceEnv,
  testFlow,
  writePlansDir,
  type TestFlow,
} from './transform.harness';

const SHOPS = ['SHOP-A', 'SHOP-B'] as const;
const GOODS = ['G1', 'G2', 'G3'] as const;

interface Line {
  goods: string;
  count: number;
  cents: number;
}

/** Totals per shop -> goods, in integer cents (exact). */
type Totals = Map<string, Map<string, { count: number; cents: number }>>;

function money(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

function order(
  flow: TestFlow,
  no: string,
  shop: string,
  consignTime: string,
  lines: readonly Line[],
): RawRecord {
  return rawRecord(flow, no, {
    TradeNo: no,
    TradeStatus: 6000,
    TradeType: 1,
    Shopcode: shop,
    WarehouseCode: 'WH-1',
    ConsignTime: consignTime,
    IsDelete: '0',
    // G2 amounts as JS numbers (0.1): a float sum would drift, the merge must not.
    GoodsDetail: lines.map((l) => ({
      GoodsNo: l.goods,
      SellCount: l.count,
      ShareFavourableAfterFee:
        l.goods === 'G2' ? l.cents / 100 : money(l.cents),
    })),
  });
}

/** `n` orders on `day`, alternating shops, each with 1-3 lines. */
function orders(
  flow: TestFlow,
  prefix: string,
  day: string,
  n: number,
): { records: RawRecord[]; totals: Totals } {
  const records: RawRecord[] = [];
  const totals: Totals = new Map();
  for (let i = 0; i < n; i++) {
    const shop = SHOPS[i % 2] as string;
    const lines: Line[] = GOODS.slice(0, 1 + (i % 3)).map((goods, j) => ({
      goods,
      count: 1 + ((i + j) % 4),
      cents: goods === 'G2' ? 10 : 101 + ((i * 37 + j * 13) % 997),
    }));
    const time = `${day} ${String(8 + (i % 12)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00`;
    records.push(order(flow, `${prefix}-${i}`, shop, time, lines));
    const shopTotals =
      totals.get(shop) ?? new Map<string, { count: number; cents: number }>();
    for (const l of lines) {
      const t = shopTotals.get(l.goods) ?? { count: 0, cents: 0 };
      shopTotals.set(l.goods, {
        count: t.count + l.count,
        cents: t.cents + l.cents,
      });
    }
    totals.set(shop, shopTotals);
  }
  return { records, totals };
}

/** Totals recomputed from the payloads (exact cents). */
function totalsOf(records: readonly RawRecord[]): Totals {
  const totals: Totals = new Map();
  for (const r of records) {
    const shop = r.payload['Shopcode'] as string;
    const shopTotals =
      totals.get(shop) ?? new Map<string, { count: number; cents: number }>();
    for (const l of r.payload['GoodsDetail'] as Array<
      Record<string, unknown>
    >) {
      const goods = l['GoodsNo'] as string;
      const t = shopTotals.get(goods) ?? { count: 0, cents: 0 };
      shopTotals.set(goods, {
        count: t.count + Number(l['SellCount']),
        cents: t.cents + Math.round(Number(l['ShareFavourableAfterFee']) * 100),
      });
    }
    totals.set(shop, shopTotals);
  }
  return totals;
}

function entries(
  doc: OutboundDocument | undefined,
): Array<{ goods: unknown; qty: unknown; amount: unknown }> {
  const rows = (doc?.document['FEntity'] ?? []) as Array<
    Record<string, unknown>
  >;
  return rows
    .map((r) => ({
      goods: (r['FMaterialID'] as { FNumber: string }).FNumber,
      qty: r['FRealQty'],
      amount: r['FAllAmount'],
    }))
    .sort((a, b) => (a.goods < b.goods ? -1 : 1));
}

function expectedEntries(
  totals: Totals,
  shop: string,
): Array<{ goods: string; qty: number; amount: number }> {
  return [
    ...(
      totals.get(shop) ?? new Map<string, { count: number; cents: number }>()
    ).entries(),
  ]
    .map(([goods, t]) => ({ goods, qty: t.count, amount: t.cents / 100 }))
    .sort((a, b) => (a.goods < b.goods ? -1 : 1));
}

describe('transform: merge windows survive kill -9 and scale to two instances', () => {
  let flow: TestFlow;
  let db: DataSource;
  let outbound: TopicCollector<OutboundDocument>;
  let env: Record<string, string>;
  let firstDay: RawRecord[] = [];
  const processes: ServiceProcess[] = [];

  const countedRecords = async (windowPrefix: string): Promise<number> => {
    const rows = (await db.query(
      `SELECT COALESCE(sum(record_count), 0)::int AS n FROM transform.merge_window WHERE flow = $1 AND status = 'open' AND window_key LIKE $2`,
      [flow.id, `%${windowPrefix}%`],
    )) as Array<{ n: number }>;
    return rows[0]?.n ?? 0;
  };
  const docsFor = (day: string): OutboundDocument[] =>
    outbound.items
      .map((i) => i.value)
      .filter((d) => d.documentKey.includes(`:${day}`));

  beforeAll(async () => {
    const suffix = uniqueName('it').replace('-', '');
    flow = await testFlow(
      'jackyun-retail-orders-to-k3cloud-outstock.yaml',
      suffix,
    );
    await seedLookups({
      [flow.table('orgs')]: [
        {
          shop_code: 'SHOP-A',
          sale_org_number: '101',
          stock_org_number: '201',
        },
        {
          shop_code: 'SHOP-B',
          sale_org_number: '102',
          stock_org_number: '202',
        },
      ],
    });
    db = createDataSource({ url: TEST_DATABASE_URL });
    await db.initialize();
    env = serviceEnv(await writePlansDir([flow]), uniqueName('it-transform'), {
      MERGE_WINDOW_SIZE: '1d',
      MERGE_GRACE: '0s',
      // Windows of past days would be emitted on idle; only the watermark closes them here.
      MERGE_IDLE_TIMEOUT: '1h',
    });
    outbound = await new TopicCollector(
      outboundTopic('k3cloud'),
      outboundDocumentSchema,
      (d) => d.flow === flow.id,
    ).start();
  });

  afterAll(async () => {
    for (const p of processes) {
      if (process.env['TEST_DUMP_LOGS']) console.log(p.logs().slice(-6000));
      await p.kill9();
    }
    await outbound?.stop();
    await db?.destroy();
    if (flow) await cleanupFlow(flow);
  });

  it('should emit exact merged totals when the service is killed with -9 mid-stream and restarted', async () => {
    const day = orders(flow, `${flow.id}-d1`, '2026-03-01', 40);
    firstDay = day.records;
    const first = await new ServiceProcess(env).start();
    processes.push(first);

    // Kill while records are still being published and consumed.
    const publishing = publish(rawTopicOf(flow), day.records.slice(0, 20));
    await pollUntil(async () => (await countedRecords('2026-03-01')) >= 3, {
      timeoutMs: 20_000,
      intervalMs: 20,
      description: 'first records merged',
    });
    await first.kill9();
    await publishing;

    // The rest, plus redeliveries of already-counted records (same content hash).
    await publish(rawTopicOf(flow), [
      ...day.records.slice(20),
      ...day.records.slice(0, 8),
    ]);
    const second = await new ServiceProcess(env).start();
    processes.push(second);
    await pollUntil(async () => (await countedRecords('2026-03-01')) === 40, {
      timeoutMs: 30_000,
      description: 'all 40 distinct records in open windows',
    });

    // A record of the next day on every partition moves the watermark (their minimum) past the end of 2026-03-01.
    await publishToEveryPartition(rawTopicOf(flow), (p) =>
      order(flow, `${flow.id}-d2-0-p${p}`, 'SHOP-A', '2026-03-02 09:00:00', [
        { goods: 'G1', count: 1, cents: 100 },
      ]),
    );
    await pollUntil(() => docsFor('2026-03-01').length >= 2, {
      timeoutMs: 20_000,
      description: 'two merged documents for 2026-03-01',
    });

    const docs = docsFor('2026-03-01');
    expect(docs.map((d) => d.billNo).sort()).toEqual([
      'JKY20260301-SHOP-A-WH-1',
      'JKY20260301-SHOP-B-WH-1',
    ]);
    for (const shop of SHOPS) {
      const doc = docs.find((d) => d.billNo.includes(shop));
      expect(entries(doc)).toEqual(expectedEntries(day.totals, shop));
      expect(doc?.lineage.sourceIds).toHaveLength(20);
      expect(doc?.document['FNote']).toBe(
        `吉客云零售合并 ${shop} 2026-03-01 20单`,
      );
    }
  });

  it('should emit a correction document with only the late record when a record arrives after its window was emitted', async () => {
    // First a redelivery of a record the emitted window already counted: dropped, not a correction.
    const [redelivered] = await publish(rawTopicOf(flow), [
      firstDay[0] as RawRecord,
    ]);
    await pollUntil(
      async () => {
        const committed =
          await testKafkaConnection().admin.fetchCommittedOffsets(
            env['TRANSFORM_GROUP_ID'] as string,
            rawTopicOf(flow),
          );
        const p = committed.find((c) => c.partition === redelivered?.partition);
        return (
          p !== undefined &&
          BigInt(p.offset) > BigInt(redelivered?.offset ?? '0')
        );
      },
      {
        timeoutMs: 20_000,
        description: 'redelivered record consumed and committed',
      },
    );
    const late = order(
      flow,
      `${flow.id}-late-0`,
      'SHOP-A',
      '2026-03-01 23:00:00',
      [{ goods: 'G3', count: 2, cents: 1999 }],
    );
    await publish(rawTopicOf(flow), [late]);
    await pollUntil(
      () => docsFor('2026-03-01').some((d) => d.correctionOf !== undefined),
      {
        timeoutMs: 20_000,
        description: 'correction document',
      },
    );
    const correction = docsFor('2026-03-01').find(
      (d) => d.correctionOf !== undefined,
    );
    expect(correction?.correctionOf).toBe(`${flow.id}:SHOP-A|WH-1:2026-03-01`);
    expect(correction?.billNo).toMatch(
      /^JKY20260301-SHOP-A-WH-1-C[0-9A-F]{6}$/,
    );
    expect(entries(correction)).toEqual([
      { goods: 'G3', qty: 2, amount: 19.99 },
    ]);
    expect(correction?.lineage.sourceIds).toEqual([late.sourceId]);
    const metrics = (await processes[1]?.metrics()) ?? '';
    const lateLine = metrics
      .split('\n')
      .find(
        (l) =>
          l.startsWith('kingbridge_transform_late_records_total{') &&
          l.includes(flow.id),
      );
    expect(lateLine?.split(' ').pop()).toBe('1');
  });

  it('should produce exactly one merged document per group and window with full totals when two instances share the group', async () => {
    const third = await new ServiceProcess(env).start();
    processes.push(third);
    const day = orders(flow, `${flow.id}-d3`, '2026-03-03', 40);
    await publish(rawTopicOf(flow), day.records);
    await pollUntil(async () => (await countedRecords('2026-03-03')) === 40, {
      timeoutMs: 30_000,
      description: 'all 40 records of 2026-03-03 merged by the two instances',
    });
    // An update moves a counted record to the other shop's window: counted there, no longer here.
    const moved = day.records[0] as RawRecord;
    const update = rawRecord(flow, moved.sourceId, {
      ...moved.payload,
      Shopcode: 'SHOP-B',
    });
    await publish(rawTopicOf(flow), [update]);
    await pollUntil(
      async () =>
        (
          (await db.query(
            `SELECT 1 FROM transform.merge_record WHERE flow = $1 AND window_key = $2 AND source_id = $3 AND contribution IS NOT NULL`,
            [flow.id, `${flow.id}:SHOP-B|WH-1:2026-03-03`, moved.sourceId],
          )) as unknown[]
        ).length === 1,
      {
        timeoutMs: 20_000,
        description: 'update merged into the SHOP-B window',
      },
    );
    expect(await countedRecords('2026-03-03')).toBe(40);

    await publishToEveryPartition(rawTopicOf(flow), (p) =>
      order(flow, `${flow.id}-d4-0-p${p}`, 'SHOP-B', '2026-03-04 09:00:00', [
        { goods: 'G1', count: 1, cents: 100 },
      ]),
    );
    await pollUntil(() => docsFor('2026-03-03').length >= 2, {
      timeoutMs: 20_000,
      description: 'two merged documents for 2026-03-03',
    });

    const totals = totalsOf([update, ...day.records.slice(1)]);
    for (const shop of SHOPS)
      expect(
        entries(docsFor('2026-03-03').find((d) => d.billNo.includes(shop))),
      ).toEqual(expectedEntries(totals, shop));
    // Both instances consumed (records of each shop were spread over partitions owned by both).
    const owners = (
      await Promise.all(processes.slice(1).map((p) => p.metrics()))
    ).map((m) =>
      m
        .split('\n')
        .filter(
          (l) =>
            l.startsWith('kingbridge_kafka_messages_consumed_total{') &&
            l.includes(rawTopicOf(flow)),
        )
        .some((l) => Number(l.split(' ').pop()) > 0),
    );
    expect(owners).toEqual([true, true]);
    // No window was emitted twice across the whole test.
    const keys = outbound.items.map((i) => i.value.documentKey);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
  });

  it('should write every merged document once with the right sums when a second instance joins mid-window and the first is killed with -9', async () => {
    // Arrange: one instance holding open windows.
    for (const p of processes) await p.kill9();
    const a = await new ServiceProcess(env).start();
    processes.push(a);
    const day = orders(flow, `${flow.id}-d5`, '2026-03-05', 60);
    await publish(rawTopicOf(flow), day.records.slice(0, 20));
    await pollUntil(async () => (await countedRecords('2026-03-05')) === 20, {
      timeoutMs: 30_000,
      description: 'first 20 records merged by one instance',
    });

    // Act: a second instance joins (rebalance) while records keep arriving; the first dies mid-stream.
    const b = new ServiceProcess(env);
    processes.push(b);
    const joining = b.start();
    await publish(rawTopicOf(flow), day.records.slice(20, 40));
    await joining;
    const publishing = publish(rawTopicOf(flow), day.records.slice(40));
    await pollUntil(async () => (await countedRecords('2026-03-05')) >= 42, {
      timeoutMs: 30_000,
      intervalMs: 20,
      description: 'records merged after the rebalance',
    });
    await a.kill9();
    await publishing;
    await pollUntil(async () => (await countedRecords('2026-03-05')) === 60, {
      timeoutMs: 60_000,
      description: 'all 60 records merged by the survivor',
    });
    await publishToEveryPartition(rawTopicOf(flow), (p) =>
      order(flow, `${flow.id}-d6-0-p${p}`, 'SHOP-A', '2026-03-06 09:00:00', [
        { goods: 'G1', count: 1, cents: 100 },
      ]),
    );
    await pollUntil(() => docsFor('2026-03-05').length >= 2, {
      timeoutMs: 30_000,
      description: 'two merged documents for 2026-03-05',
    });

    // Assert: one document per shop (a repeated produce carries the same bytes), exact sums, no correction.
    const docs = docsFor('2026-03-05');
    const byKey = new Map<string, string>();
    for (const d of docs) {
      const body = JSON.stringify(d.document);
      expect(byKey.get(d.documentKey) ?? body).toBe(body);
      byKey.set(d.documentKey, body);
    }
    expect([...byKey.keys()].sort()).toEqual([
      `${flow.id}:SHOP-A|WH-1:2026-03-05`,
      `${flow.id}:SHOP-B|WH-1:2026-03-05`,
    ]);
    for (const shop of SHOPS)
      expect(entries(docs.find((d) => d.billNo.includes(shop)))).toEqual(
        expectedEntries(day.totals, shop),
      );
  });
});
