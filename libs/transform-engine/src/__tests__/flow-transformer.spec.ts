import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  rawRecordSchema,
  type OutboundDocument,
  type RawRecord,
} from '@kingbridge/contracts';
import { contentHash } from '@kingbridge/pipeline-core';
import { describe, expect, it } from 'vitest';
import { compileFlow, type FlowTransformer } from '../flow/flow-transformer';
import {
  InMemoryLookupProvider,
  type LookupRow,
} from '../lookup/lookup-provider';
import { FIXTURES_DIR, loadFixturePlan } from './fixture-runner';

const MERGE_FLOW = 'jackyun-retail-orders-to-k3cloud-outstock';
const NOW = Date.parse('2026-05-02T02:00:00.000Z');
const LOOKUPS = JSON.parse(
  readFileSync(join(FIXTURES_DIR, MERGE_FLOW, 'lookups.json'), 'utf8'),
) as Record<string, LookupRow[]>;

function order(
  no: string,
  at: string,
  goods: Array<[string, number, string]>,
): RawRecord {
  const payload = {
    TradeNo: no,
    TradeStatus: 6000,
    TradeType: 1,
    Shopcode: 'SHOP-A',
    WarehouseCode: 'WH-1',
    ConsignTime: at,
    GoodsDetail: goods.map(([GoodsNo, SellCount, ShareFavourableAfterFee]) => ({
      GoodsNo,
      SellCount,
      ShareFavourableAfterFee,
    })),
  };
  return rawRecordSchema.parse({
    schemaVersion: 1,
    platform: 'jackyun',
    entity: 'sales-order',
    stream: 'jackyun.sales-order.retail-shipped',
    sourceId: no,
    modifiedAt: '2026-05-01T10:00:00.000Z',
    contentHash: contentHash(payload),
    payload,
    runId: 'run-1',
    fetchedAt: '2026-05-01T10:00:00.000Z',
  });
}

function newFlow(): FlowTransformer {
  return compileFlow(loadFixturePlan(MERGE_FLOW), {
    lookups: new InMemoryLookupProvider(LOOKUPS),
    clock: () => NOW,
  });
}

function flush(
  flow: FlowTransformer,
  watermark = Number.MAX_SAFE_INTEGER,
): OutboundDocument[] {
  return flow.dueWindows(watermark).flatMap((key) => {
    const emitted = flow.emitWindow(key);
    if ('error' in emitted) throw emitted.error;
    flow.markEmitted(key);
    return 'document' in emitted ? [emitted.document] : [];
  });
}

const ORDERS = Array.from({ length: 60 }, (_v, i) =>
  order(
    `JY${1000 + i}`,
    `2026-05-01 ${String(8 + (i % 12)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00`,
    [
      [`G${i % 4}`, (i % 3) + 1, `${(i * 1.37).toFixed(2)}`],
      ['G9', 1, '0.10'],
    ],
  ),
);

describe('flow transformer', () => {
  it('should merge a record located by mergeKey first (as the consumer does) exactly as one processed alone', () => {
    // Arrange
    const alone = newFlow();
    const expected = ORDERS.map((o) => alone.process(o));
    const keyed = newFlow();

    // Act: every key first, then every record; then a record keyed as another object (an older version) than
    // the one processed: it is placed by its own content.
    const keys = ORDERS.map((o) => keyed.mergeKey(o));
    const actual = ORDERS.map((o) => keyed.process(o));
    const moved = order('JY1000', '2026-05-02 09:00:00', [['G1', 1, '1.00']]);
    keyed.mergeKey(order('JY1000', '2026-05-01 09:00:00', [['G1', 1, '1.00']]));
    const late = keyed.process(moved);

    // Assert
    expect(actual).toEqual(expected);
    expect(new Set(keys)).toEqual(
      new Set(expected.map((r) => (r.outcome === 'merged' ? r.windowKey : ''))),
    );
    expect(late).toMatchObject({
      outcome: 'merged',
      windowKey: expect.stringContaining('2026-05-02'),
    });
  });

  it('should produce the same merged document after a restart mid-window from persisted state', () => {
    // Arrange
    const steady = newFlow();
    ORDERS.forEach((o) => steady.process(o));
    const expected = flush(steady);
    const beforeCrash = newFlow();
    ORDERS.slice(0, 35).forEach((o) => beforeCrash.process(o));
    const persisted = JSON.stringify(beforeCrash.merger?.snapshot());

    // Act: restart, restore, and receive again everything after the last committed offset (25).
    const restarted = newFlow();
    restarted.restoreMergeState(JSON.parse(persisted));
    const statuses = ORDERS.slice(25).map((o) => restarted.process(o));
    const actual = flush(restarted);

    // Assert
    expect(
      statuses
        .slice(0, 10)
        .every((s) => s.outcome === 'merged' && s.status === 'duplicate'),
    ).toBe(true);
    expect(actual).toEqual(expected);
    expect(actual).toHaveLength(1);
    const g9 = (
      actual[0]?.document.FEntity as Array<Record<string, unknown>>
    ).find((e) => (e.FMaterialID as { FNumber: string }).FNumber === 'G9');
    expect(g9).toMatchObject({ FRealQty: 60, FAllAmount: 6 });
  });

  it('should emit a correction document with its own key and bill number for a late order', () => {
    // Arrange
    const flow = newFlow();
    flow.process(order('JY1', '2026-05-01 10:00:00', [['G1', 1, '10.00']]));
    const [original] = flush(flow);

    // Act
    const late = flow.process(
      order('JY2', '2026-05-01 23:00:00', [['G1', 2, '20.00']]),
    );
    const [correction] = flush(flow);
    const again = flow.process(
      order('JY2', '2026-05-01 23:00:00', [['G1', 2, '20.00']]),
    );

    // Assert
    expect(late).toMatchObject({ outcome: 'merged', status: 'late' });
    expect(correction?.correctionOf).toBe(original?.documentKey);
    expect(correction?.billNo).toMatch(
      /^JKY20260501-SHOP-A-WH-1-C[0-9A-F]{6}$/,
    );
    expect(correction?.document.FBillNo).toBe(correction?.billNo);
    expect(correction?.document.FEntity).toEqual([
      {
        FMaterialID: { FNumber: 'G1' },
        FRealQty: 2,
        FAllAmount: 20,
        FTaxPrice: 10,
        FStockID: { FNumber: 'WH-1' },
      },
    ]);
    expect(correction?.lineage.sourceIds).toEqual(['JY2']);
    expect(again).toMatchObject({ outcome: 'merged', status: 'duplicate' });
  });

  it('should give the same merge key to records of one shop, warehouse and business day', () => {
    const flow = newFlow();
    const a = flow.mergeKey(
      order('JY1', '2026-05-01 00:00:00', [['G1', 1, '1']]),
    );
    const b = flow.mergeKey(
      order('JY2', '2026-05-01 23:59:59', [['G2', 1, '1']]),
    );
    const c = flow.mergeKey(
      order('JY3', '2026-05-02 00:00:00', [['G1', 1, '1']]),
    );
    expect(a).toBe(
      'jackyun-retail-orders-to-k3cloud-outstock:SHOP-A|WH-1:2026-05-01',
    );
    expect(b).toBe(a);
    expect(c).toBe(
      'jackyun-retail-orders-to-k3cloud-outstock:SHOP-A|WH-1:2026-05-02',
    );
  });

  it('should keep a __proto__ key in the payload as plain data when normalising and merging', () => {
    // Arrange
    const raw = order('JY1', '2026-05-01 10:00:00', [['G1', 1, '1']]);
    const payload = JSON.parse(
      `{"__proto__": {"ShopCode": "EVIL"}, ${JSON.stringify(raw.payload).slice(1)}`,
    ) as Record<string, unknown>;
    const flow = newFlow();

    // Act
    const result = flow.process({ ...raw, payload });
    const [document] = flush(flow);

    // Assert
    expect(result).toMatchObject({ outcome: 'merged', status: 'added' });
    expect(document?.document.FCustomerID).toEqual({ FNumber: 'SHOP-A' });
    expect(({} as Record<string, unknown>).ShopCode).toBeUndefined();
  });

  it('should only accept records of its own source stream', () => {
    const flow = newFlow();
    expect(
      flow.accepts({
        platform: 'jackyun',
        entity: 'sales-order',
        stream: 'jackyun.sales-order.retail-shipped',
      }),
    ).toBe(true);
    expect(
      flow.accepts({
        platform: 'jackyun',
        entity: 'sales-order',
        stream: 'jackyun.sales-order.other',
      }),
    ).toBe(false);
  });

  it('should list the lookups a record needs so the service can preload them', () => {
    // Arrange
    const plan = loadFixturePlan('jushuitan-count-loss-to-jdy');
    const flow = compileFlow(plan, { lookups: new InMemoryLookupProvider({}) });
    const input = JSON.parse(
      readFileSync(
        join(FIXTURES_DIR, 'jushuitan-count-loss-to-jdy', 'input.json'),
        'utf8',
      ),
    ) as unknown[];

    // Act
    const keys = flow
      .lookupQueries(rawRecordSchema.parse(input[0]))
      .map((q) => q.key);

    // Assert
    expect(keys).toEqual([
      'materials?number=SKU-1',
      'units?sku_id=SKU-1',
      'stocks?wms_co_id=10086&wh_id=1',
      'materials?number=SKU-3',
      'units?sku_id=SKU-3',
      'stocks?wms_co_id=10086&wh_id=1',
    ]);
  });

  it('should fail a merge record without an event time with the field path', () => {
    const flow = newFlow();
    const result = flow.process(order('JY1', 'yesterday', [['G1', 1, '1']]));
    expect(result).toMatchObject({
      outcome: 'failed',
      error: { errorClass: 'mapping', fieldPath: 'consignTime' },
    });
  });
});
