import {
  InMemoryLookupProvider,
  syncPlanSchema,
  type SyncPlan,
} from '@kingbridge/transform-engine';
import { contentHash, RetriableError } from '@kingbridge/pipeline-core';
import { describe, expect, it } from 'vitest';
import type {
  KingdeeDocument,
  SourceInventory,
  SourceRecord,
  TimeRange,
} from '../inventory.port';
import type {
  FetchedRecord,
  LedgerEntry,
  PipelineState,
} from '../pipeline-state.port';
import { reconcileFlow, resolveRange } from '../reconcile-flow';

const T0 = Date.parse('2026-12-02T10:00:00Z');
const MIN = 60_000;

/** A one-to-one flow: one document per record, qty from the record. */
const plan: SyncPlan = syncPlanSchema.parse({
  id: 'orders-flow',
  source: {
    platform: 'wdt',
    entity: 'stockout-order',
    stream: 'wdt.orders',
    api: 'wdt.stockout.order.query.trade',
    idField: 'stockout_id',
    pageSize: 100,
  },
  target: {
    system: 'k3cloud',
    formId: 'SAL_OUTSTOCK',
    operation: 'BatchSave',
  },
  documentKey: '{stockout_id}',
  billNo: 'SO{stockout_id}',
  mapping: [
    { field: 'FBillNo', value: '{_doc.billNo}' },
    { field: 'FRealQty', value: '{qty}' },
  ],
});

/** A record whose source time (what the query filters on) is `at`. */
const rec = (id: string, at: number, qty = 1): SourceRecord => ({
  sourceId: id,
  version: 1,
  createdAt: at,
  modifiedAt: at,
  payload: { stockout_id: id, qty },
});

/** Source answering the query by the record's time, like the platform API. */
class FakeSource implements SourceInventory {
  constructor(readonly records: SourceRecord[]) {}
  list(_e: string, r: TimeRange): Promise<SourceRecord[]> {
    return Promise.resolve(
      this.records.filter(
        (x) => x.modifiedAt >= r.fromMs && x.modifiedAt < r.toMs,
      ),
    );
  }
}

const written = (id: string, qty: number, at: number): KingdeeDocument => ({
  id: `k-${id}`,
  billNo: `SO${id}`,
  writeCount: 1,
  firstWrittenAt: new Date(at).toISOString(),
  lastWrittenAt: new Date(at).toISOString(),
  body: { model: { FBillNo: `SO${id}`, FRealQty: qty } },
});

class FakePipeline implements PipelineState {
  constructor(
    readonly checkpoint: number | undefined,
    readonly fetchedRecords: Map<string, FetchedRecord> = new Map(),
    readonly rows: Map<string, LedgerEntry> = new Map(),
  ) {}
  checkpointMs() {
    return Promise.resolve(this.checkpoint);
  }
  fetched(_s: string, ids: readonly string[]) {
    return Promise.resolve(
      new Map([...this.fetchedRecords].filter(([id]) => ids.includes(id))),
    );
  }
  inOpenWindows() {
    return Promise.resolve(new Set<string>());
  }
  ledger() {
    return Promise.resolve(this.rows);
  }
  otherFlowsBills() {
    return Promise.resolve(new Set<string>());
  }
}

const fetchedAt = (r: SourceRecord, at: number): FetchedRecord => ({
  contentHash: contentHash(r.payload),
  modifiedAtMs: r.modifiedAt,
  publishedAtMs: at,
});

const run = (
  records: SourceRecord[],
  docs: KingdeeDocument[],
  pipeline?: PipelineState,
) =>
  reconcileFlow({
    plan,
    source: new FakeSource(records),
    kingdee: { list: () => Promise.resolve(docs) },
    range: { fromMs: T0, toMs: T0 + 60 * MIN },
    lookups: new InMemoryLookupProvider({}),
    nowMs: T0 + 70 * MIN,
    ...(pipeline ? { pipeline } : {}),
  });

describe('reconcileFlow', () => {
  it('should count a document of a record after the range as outside, not extra, even when written inside it', async () => {
    const inRange = rec('1', T0 + 5 * MIN);
    const after = rec('2', T0 + 65 * MIN);
    const before = rec('3', T0 - 30 * MIN);
    const report = await run(
      [inRange, after, before],
      [
        written('1', 1, T0 + 6 * MIN),
        written('2', 1, T0 + 66 * MIN),
        // An earlier record written late (first sync): inside the range by write time, outside by source time.
        written('3', 1, T0 + 10 * MIN),
      ],
    );
    expect(report.counts).toMatchObject({
      expected: 1,
      matched: 1,
      missing: 0,
      extra: 0,
      outside: 2,
    });
  });

  it('should expect no document for a record that left the filter, and report the one Kingdee still holds as changed after write', async () => {
    // Arrange: shipped (95) stock-outs are synced; 2 was written, then cancelled (5); 3 was cancelled unwritten
    const exits = syncPlanSchema.parse({
      ...plan,
      source: {
        ...plan.source,
        filters: ['status = 95'],
        filterExit: { when: ['status = 5'], query: { status: '5' } },
      },
    });
    const shipped = (id: string, status: number): SourceRecord => ({
      ...rec(id, T0 + 5 * MIN),
      payload: { stockout_id: id, qty: 1, status },
    });

    // Act
    const report = await reconcileFlow({
      plan: exits,
      source: new FakeSource([
        shipped('1', 95),
        shipped('2', 5),
        shipped('3', 5),
      ]),
      kingdee: {
        list: () =>
          Promise.resolve([
            written('1', 1, T0 + 6 * MIN),
            written('2', 1, T0 + 6 * MIN),
          ]),
      },
      range: { fromMs: T0, toMs: T0 + 60 * MIN },
      lookups: new InMemoryLookupProvider({}),
      nowMs: T0 + 70 * MIN,
    });

    // Assert
    expect(report.counts).toMatchObject({
      expected: 1,
      matched: 1,
      missing: 0,
      extra: 0,
      changed: 1,
    });
    expect(report.changed.map((c) => [c.billNo, c.source])).toEqual([
      ['SO2', { qty: 0, amount: 0 }],
    ]);
  });

  it('should still report a written document no source record explains as extra', async () => {
    const report = await run(
      [rec('1', T0 + 5 * MIN)],
      [written('1', 1, T0 + 6 * MIN), written('999', 4, T0 + 7 * MIN)],
    );
    expect(report.extra.map((e) => e.billNo)).toEqual(['SO999']);
  });

  it('should report a record after the checkpoint as in flight, not missing', async () => {
    const fetchedOne = rec('1', T0 + 5 * MIN);
    const late = rec('2', T0 + 50 * MIN);
    const report = await run(
      [fetchedOne, late],
      [written('1', 1, T0 + 6 * MIN)],
      new FakePipeline(
        T0 + 40 * MIN,
        new Map([['1', fetchedAt(fetchedOne, T0 + 6 * MIN)]]),
      ),
    );
    expect(report.counts.missing).toBe(0);
    expect(report.inFlight).toEqual([
      expect.objectContaining({
        billNo: 'SO2',
        reason: 'not fetched yet',
        sourceIds: ['2'],
      }),
    ]);
  });

  it('should report a document the sink is still writing as in flight, and a dead-lettered one as missing', async () => {
    const a = rec('1', T0 + 5 * MIN);
    const b = rec('2', T0 + 6 * MIN);
    const ledger = (key: string, state: LedgerEntry['state']): LedgerEntry => ({
      documentKey: key,
      billNo: `SO${key}`,
      state,
      lastErrorClass: undefined,
      lastError: undefined,
      updatedAtMs: T0,
    });
    // The document keys the flow gives these records.
    const keys = (await run([a, b], [])).missing.map((m) => m.documentKey);
    const report = await run(
      [a, b],
      [],
      new FakePipeline(
        T0 + 69 * MIN,
        new Map([
          ['1', fetchedAt(a, T0 + 6 * MIN)],
          ['2', fetchedAt(b, T0 + 7 * MIN)],
        ]),
        new Map([
          [keys[0]!, ledger(keys[0]!, 'retrying')],
          [keys[1]!, ledger(keys[1]!, 'dead_lettered')],
        ]),
      ),
    );
    expect(report.inFlight.map((m) => [m.billNo, m.reason])).toEqual([
      ['SO1', 'being written'],
    ]);
    expect(report.missing.map((m) => m.billNo)).toEqual(['SO2']);
  });

  it('should report a fetched record with nothing downstream as missing once the grace has passed', async () => {
    const a = rec('1', T0 + 5 * MIN);
    const report = await run(
      [a],
      [],
      new FakePipeline(
        T0 + 69 * MIN,
        new Map([['1', fetchedAt(a, T0 + 6 * MIN)]]),
      ),
    );
    expect(report.counts).toMatchObject({ missing: 1, inFlight: 0 });
  });

  it('should list a document whose source quantity changed after it was written as changed after write, with both sums', async () => {
    const now = { ...rec('1', T0 + 5 * MIN, 7), modifiedAt: T0 + 20 * MIN };
    const report = await run([now], [written('1', 3, T0 + 6 * MIN)]);
    expect(report.counts).toMatchObject({
      changed: 1,
      mismatch: 0,
      missing: 0,
    });
    expect(report.changed).toEqual([
      expect.objectContaining({
        billNo: 'SO1',
        written: { qty: 3, amount: 0 },
        source: { qty: 7, amount: 0 },
      }),
    ]);
  });

  it('should keep a sum difference without a later source change a mismatch', async () => {
    const report = await run(
      [rec('1', T0 + 5 * MIN, 7)],
      [written('1', 3, T0 + 6 * MIN)],
    );
    expect(report.counts).toMatchObject({ changed: 0, mismatch: 1 });
  });

  it('should compare master data as a whole set, whatever the records were last modified', async () => {
    const shops = {
      ...plan,
      source: { ...plan.source, entity: 'sales-channel' },
    } as SyncPlan;
    const old = rec('1', T0 - 200 * 86_400_000);
    const source: SourceInventory = {
      list: () => Promise.resolve([]),
      listAll: () => Promise.resolve([old, rec('2', T0 - MIN)]),
    };
    const report = await reconcileFlow({
      plan: shops,
      source,
      kingdee: { list: () => Promise.resolve([written('1', 1, T0 - 100)]) },
      range: { fromMs: T0, toMs: T0 + 60 * MIN },
      lookups: new InMemoryLookupProvider({}),
      nowMs: T0 + 70 * MIN,
    });
    expect(report.scope).toBe('all');
    expect(report.counts).toMatchObject({
      expected: 2,
      matched: 1,
      missing: 1,
    });
    expect(report.missing.map((m) => m.billNo)).toEqual(['SO2']);
  });

  it('should count only what the flow wrote as extra on master data numbered without a prefix, once the ledger is known', async () => {
    const customers = {
      ...plan,
      source: { ...plan.source, entity: 'sales-channel' },
      billNo: '{stockout_id}',
    } as SyncPlan;
    const customer = (number: string): KingdeeDocument => ({
      id: `k-${number}`,
      billNo: number,
      body: {},
    });
    const ledgerRow = (key: string): LedgerEntry => ({
      documentKey: key,
      billNo: key,
      state: 'dead_lettered',
      lastErrorClass: undefined,
      lastError: undefined,
      updatedAtMs: T0,
    });
    const source: SourceInventory = {
      list: () => Promise.resolve([]),
      listAll: () => Promise.resolve([rec('1', T0 - MIN)]),
    };
    const report = (pipeline?: PipelineState) =>
      reconcileFlow({
        plan: customers,
        source,
        // '1' is the flow's; 'PEOPLE-MADE' was keyed in by hand; '9' the flow wrote once, its source is gone.
        kingdee: {
          list: () => Promise.resolve(['1', 'PEOPLE-MADE', '9'].map(customer)),
        },
        range: { fromMs: T0, toMs: T0 + 60 * MIN },
        lookups: new InMemoryLookupProvider({}),
        nowMs: T0 + 70 * MIN,
        ...(pipeline ? { pipeline } : {}),
      });
    const withLedger = await report(
      new FakePipeline(
        undefined,
        new Map(),
        new Map([
          ['1', ledgerRow('1')],
          ['9', ledgerRow('9')],
        ]),
      ),
    );
    expect(withLedger.counts).toMatchObject({ matched: 1, extra: 1 });
    expect(withLedger.extra.map((e) => e.billNo)).toEqual(['9']);
    // Without the ledger nothing tells them apart: every unexplained customer is extra.
    const without = await report();
    expect(without.extra.map((e) => e.billNo).sort()).toEqual([
      '9',
      'PEOPLE-MADE',
    ]);
  });

  it('should cut a merge flow range to whole windows of its effective size', () => {
    const merged = {
      ...plan,
      merge: { window: { size: '1m', grace: '10s', idleTimeout: '30s' } },
    } as unknown as SyncPlan;
    expect(
      resolveRange(merged, {
        fromMs: Date.parse('2026-12-02T10:00:30Z'),
        toMs: Date.parse('2026-12-02T10:58:45Z'),
      }),
    ).toEqual({
      fromMs: Date.parse('2026-12-02T10:00:00Z'),
      toMs: Date.parse('2026-12-02T10:58:00Z'),
    });
  });

  it('should retry a lookup store that is throttled for a moment instead of failing the flow', async () => {
    // Arrange: the first preload fails as a throttled K3Cloud query does (retriable), the next one answers.
    let preloads = 0;
    const lookups = new InMemoryLookupProvider({});
    const flaky = {
      get: lookups.get.bind(lookups),
      preload: (queries: Parameters<InMemoryLookupProvider['preload']>[0]) => {
        preloads += 1;
        return preloads === 1
          ? Promise.reject(
              new RetriableError('k3cloud ExecuteBillQuery: throttled', {
                errorClass: 'throttled',
              }),
            )
          : lookups.preload(queries);
      },
    };

    // Act
    const report = await reconcileFlow({
      plan,
      source: new FakeSource([rec('1', T0 + 5 * MIN)]),
      kingdee: {
        list: () => Promise.resolve([written('1', 1, T0 + 6 * MIN)]),
      },
      range: { fromMs: T0, toMs: T0 + 60 * MIN },
      lookups: flaky,
      nowMs: T0 + 70 * MIN,
    });

    // Assert
    expect(preloads).toBeGreaterThanOrEqual(2);
    expect(report.counts).toMatchObject({ matched: 1, missing: 0 });
  });
});
