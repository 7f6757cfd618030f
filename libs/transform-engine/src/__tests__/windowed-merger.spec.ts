import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../util/decimal';
import {
  WindowedMerger,
  type MergeConfig,
  type MergeInput,
  type MergeStateSnapshot,
  type PersistedRecord,
  type WindowMeta,
} from '../merge/windowed-merger';

const HOUR = 3_600_000;
const CONFIG: MergeConfig = {
  flow: 'flow-t',
  list: 'goodsDetail',
  headerGroup: ['shopcode', 'warehouseCode'],
  eventTimeField: 'consignTime',
  sizeMs: 24 * HOUR,
  graceMs: HOUR,
  idleTimeoutMs: 10 * 60_000,
  dedupRetentionMs: 7 * 24 * HOUR,
  offsetMinutes: 480,
  bodyGroup: ['goodsNo'],
  calculate: [
    { field: 'sellCount', op: '$sum' },
    { field: 'shareFavourableAfterFee', op: '$sum' },
  ],
};
// 2026-05-01 00:00 Asia/Shanghai
const DAY1 = Date.parse('2026-04-30T16:00:00.000Z');

let seq = 0;
function rec(
  id: string,
  at: string,
  goods: Array<[string, unknown, unknown]>,
  opts: { shop?: string; hash?: string } = {},
): MergeInput {
  seq += 1;
  return {
    sourceId: id,
    contentHash: opts.hash ?? `h-${id}`,
    fetchedAt: `2026-05-01T0${seq % 10}:00:00.000Z`,
    record: {
      tradeNo: id,
      shopcode: opts.shop ?? 'SHOP-A',
      warehouseCode: 'WH-1',
      consignTime: at,
      goodsDetail: goods.map(
        ([goodsNo, sellCount, shareFavourableAfterFee]) => ({
          goodsNo,
          sellCount,
          shareFavourableAfterFee,
        }),
      ),
    },
  };
}

function totals(
  merger: WindowedMerger,
  key: string,
): Array<{ goodsNo: unknown; qty: string; fee: string }> {
  const rows = merger.emit(key).record.goodsDetail as Array<
    Record<string, unknown>
  >;
  return rows.map((r) => ({
    goodsNo: r.goodsNo,
    qty: String(r.sellCount),
    fee: String(r.shareFavourableAfterFee),
  }));
}

const KEY = 'flow-t:SHOP-A|WH-1:2026-05-01';

interface Written {
  readonly key: string;
  readonly documentKey: string;
  readonly correction: boolean;
  readonly removed: readonly string[];
  readonly rows: Array<{ goodsNo: unknown; qty: string; fee: string }>;
}

/** Emits and marks every due window, as the service does; returns what would be written. */
function flush(merger: WindowedMerger, nowMs: number): Written[] {
  return merger.due(nowMs).flatMap((key) => {
    const w = merger.emit(key);
    merger.markEmitted(key, nowMs);
    if (!w.hasRows) return [];
    const rows = w.record.goodsDetail as Array<Record<string, unknown>>;
    return [
      {
        key,
        documentKey: w.documentKey,
        correction: w.correctionOf !== undefined,
        removed: w.removedIds,
        rows: rows.map((r) => ({
          goodsNo: r.goodsNo,
          qty: String(r.sellCount),
          fee: String(r.shareFavourableAfterFee),
        })),
      },
    ];
  });
}

/** Σ quantity per group over every written document (base + corrections). */
function groupTotals(docs: readonly Written[]): Record<string, string> {
  const out: Record<string, Decimal> = {};
  for (const d of docs) {
    const group = d.key.replace(/#late$/, '');
    for (const r of d.rows)
      out[group] = (out[group] ?? Decimal.ZERO).add(
        Decimal.of(r.qty) as Decimal,
      );
  }
  return Object.fromEntries(
    Object.entries(out).map(([k, v]) => [k, v.toString()]),
  );
}

describe('windowed merger', () => {
  it('should sum money exactly where floats drift', () => {
    // Arrange
    const merger = new WindowedMerger(CONFIG);
    let float = 0;

    // Act
    for (let i = 0; i < 1000; i += 1) {
      merger.add(
        rec(`T${i}`, '2026-05-01 10:00:00', [['G1', 1, '0.10']]),
        DAY1,
      );
      float += 0.1;
    }

    // Assert
    expect(float).not.toBe(100);
    expect(totals(merger, KEY)).toEqual([
      { goodsNo: 'G1', qty: '1000', fee: '100' },
    ]);
    expect(
      (
        merger.emit(KEY).record.goodsDetail as Array<{
          shareFavourableAfterFee: Decimal;
        }>
      )[0]?.shareFavourableAfterFee.toNumber(),
    ).toBe(100);
  });

  it('should group rows by bodyGroup in first-seen order and keep one window per group and day', () => {
    // Arrange
    const merger = new WindowedMerger(CONFIG);

    // Act
    merger.add(
      rec('T2', '2026-05-01 22:00:00', [
        ['G2', '1', '0.2'],
        ['G1', 2, 1.5],
      ]),
      DAY1,
    );
    merger.add(rec('T1', '2026-05-01 09:00:00', [['G1', '1', '0.1']]), DAY1);
    merger.add(rec('T3', '2026-05-02 00:00:00', [['G1', 1, 1]]), DAY1);
    merger.add(
      rec('T4', '2026-05-01 12:00:00', [['G1', 1, 1]], { shop: 'SHOP-B' }),
      DAY1,
    );

    // Assert
    expect(merger.stats()).toMatchObject({ openWindows: 3, openRecords: 4 });
    expect(totals(merger, KEY)).toEqual([
      { goodsNo: 'G1', qty: '3', fee: '1.6' },
      { goodsNo: 'G2', qty: '1', fee: '0.2' },
    ]);
    expect(merger.emit(KEY).sourceIds).toEqual(['T1', 'T2']);
    expect(merger.emit(KEY).record._window).toEqual({
      start: '2026-05-01 00:00:00',
      end: '2026-05-02 00:00:00',
      date: '2026-05-01',
      compact: '20260501',
    });
  });

  it('should not count a redelivered record twice, before or after emission', () => {
    // Arrange
    const merger = new WindowedMerger(CONFIG);
    const first = rec('T1', '2026-05-01 10:00:00', [['G1', 2, '19.90']]);
    merger.add(first, DAY1);

    // Act
    const again = merger.add(first, DAY1);
    merger.markEmitted(KEY, DAY1);
    const afterEmit = merger.add(first, DAY1 + 48 * HOUR);

    // Assert
    expect(again.status).toBe('duplicate');
    expect(afterEmit).toEqual({ status: 'duplicate', windowKey: KEY });
    expect(merger.due(DAY1 + 48 * HOUR)).toEqual([]);
  });

  it('should replace the contribution of an updated record instead of adding it', () => {
    // Arrange
    const merger = new WindowedMerger(CONFIG);
    merger.add(rec('T1', '2026-05-01 10:00:00', [['G1', 2, '10']]), DAY1);

    // Act
    const result = merger.add(
      rec('T1', '2026-05-01 10:00:00', [['G1', 5, '25']], { hash: 'h-T1-v2' }),
      DAY1,
    );

    // Assert
    expect(result.status).toBe('replaced');
    expect(totals(merger, KEY)).toEqual([
      { goodsNo: 'G1', qty: '5', fee: '25' },
    ]);
  });

  it('should give identical totals after a snapshot and restore in the middle of a window', () => {
    // Arrange
    const records = Array.from({ length: 200 }, (_v, i) =>
      rec(
        `T${i}`,
        `2026-05-01 ${String(10 + (i % 10)).padStart(2, '0')}:00:00`,
        [
          [
            `G${i % 7}`,
            (i % 3) + 1,
            `${i}.${String(i % 100).padStart(2, '0')}`,
          ],
          ['G0', 1, '0.01'],
        ],
      ),
    );
    const uninterrupted = new WindowedMerger(CONFIG);
    records.forEach((r) => uninterrupted.add(r, DAY1));
    const before = new WindowedMerger(CONFIG);
    records.slice(0, 120).forEach((r) => before.add(r, DAY1));

    // Act: persist, "crash", restore, then receive the uncommitted tail again plus the rest.
    const persisted = JSON.parse(JSON.stringify(before.snapshot()));
    const after = WindowedMerger.restore(CONFIG, persisted);
    const replay = [...records.slice(100, 120), ...records.slice(120)].map(
      (r) => after.add(r, DAY1).status,
    );

    // Assert
    expect(replay.filter((s) => s === 'duplicate')).toHaveLength(20);
    expect(totals(after, KEY)).toEqual(totals(uninterrupted, KEY));
    expect(after.emit(KEY).sourceIds).toEqual(
      uninterrupted.emit(KEY).sourceIds,
    );
  });

  it('should leave the snapshot of the caller untouched so it can be restored again', () => {
    // Arrange
    const merger = new WindowedMerger(CONFIG);
    merger.add(rec('T1', '2026-05-01 10:00:00', [['G1', 1, '1.5']]), DAY1);
    const snapshot = merger.snapshot();
    const first = WindowedMerger.restore(CONFIG, snapshot);

    // Act
    first.markEmitted(KEY, DAY1);
    first.add(rec('T2', '2026-05-01 11:00:00', [['G1', 1, '1']]), DAY1);
    const second = WindowedMerger.restore(CONFIG, snapshot);

    // Assert
    expect(second.stats()).toMatchObject({ openWindows: 1, openRecords: 1 });
    expect(totals(second, KEY)).toEqual([
      { goodsNo: 'G1', qty: '1', fee: '1.5' },
    ]);
  });

  it("should place a batch exactly as a full restore does when restored from handed-over maps indexing only the batch's records", () => {
    // Arrange: an emitted 05-01 (T1, T2) with a pending correction (T2 moved to 05-02, T3 cancelled), an open
    // 05-02 and an open window of another shop; versions so that newer and older ones both arrive.
    const merger = new WindowedMerger({ ...CONFIG, trackChanges: true });
    const v = (input: MergeInput, version: number): MergeInput => ({
      ...input,
      version,
    });
    merger.add(
      v(rec('T1', '2026-05-01 10:00:00', [['G1', 2, '20']]), 10),
      DAY1,
    );
    merger.add(
      v(rec('T2', '2026-05-01 11:00:00', [['G1', 1, '10']]), 10),
      DAY1,
    );
    merger.add(
      v(rec('T3', '2026-05-01 12:00:00', [['G2', 4, '40']]), 10),
      DAY1,
    );
    merger.add(rec('T7', '2026-05-01 13:00:00', [['G1', 1, '1']]), DAY1);
    flush(merger, DAY1 + 26 * HOUR);
    // T7 moves without a version: only the tombstone it left in 05-01's correction says 05-02 holds it now.
    merger.add(
      rec('T7', '2026-05-02 13:00:00', [['G1', 1, '1']], { hash: 'T7b' }),
      DAY1 + 27 * HOUR,
    );
    merger.add(
      v(
        rec('T2', '2026-05-02 10:00:00', [['G1', 1, '10']], { hash: 'T2b' }),
        20,
      ),
      DAY1 + 27 * HOUR,
    );
    merger.remove('T3', { fetchedAt: 'x', version: 20 }, DAY1 + 27 * HOUR);
    merger.add(
      v(rec('T4', '2026-05-02 11:00:00', [['G1', 3, '30']]), 10),
      DAY1 + 27 * HOUR,
    );
    merger.add(
      v(
        rec('T5', '2026-05-02 11:00:00', [['G3', 1, '1']], { shop: 'SHOP-B' }),
        10,
      ),
      DAY1 + 27 * HOUR,
    );
    merger.takeRecordChanges();
    const persisted = JSON.stringify(merger.snapshot());
    const batch: Array<MergeInput | string> = [
      v(rec('T1', '2026-05-01 10:00:00', [['G1', 2, '20']]), 10), // duplicate of a counted record
      v(rec('T2', '2026-05-01 11:00:00', [['G1', 1, '10']]), 15), // older than the move: stale
      v(
        rec('T2', '2026-05-01 11:00:00', [['G1', 1, '10']], { hash: 'T2c' }),
        30,
      ), // moves back
      v(
        rec('T3', '2026-05-01 12:00:00', [['G2', 5, '50']], { hash: 'T3b' }),
        30,
      ), // un-cancelled, changed
      v(
        rec('T4', '2026-05-02 11:00:00', [['G1', 9, '90']], { hash: 'T4b' }),
        20,
      ), // replaced
      'T5', // cancelled while open
      v(rec('T6', '2026-05-02 12:00:00', [['G1', 1, '1']]), 10), // new
      v(rec('T6', '2026-05-02 12:00:00', [['G1', 1, '1']]), 10), // and again
      rec('T7', '2026-05-02 13:00:00', [['G1', 1, '1']], { hash: 'T7b' }), // where it moved: a redelivery
    ];
    const run = (restored: WindowedMerger) => ({
      results: batch.map((item) =>
        typeof item === 'string'
          ? restored.remove(
              item,
              { fetchedAt: 'y', version: 30 },
              DAY1 + 28 * HOUR,
            )
          : restored.add(item, DAY1 + 28 * HOUR),
      ),
      changes: restored.takeRecordChanges(),
      emitted: restored.due(DAY1 + 50 * HOUR).map((key) => restored.emit(key)),
    });
    const config = { ...CONFIG, trackChanges: true };

    // Act
    const full = run(WindowedMerger.restore(config, JSON.parse(persisted)));
    const handed = JSON.parse(persisted) as MergeStateSnapshot;
    const fast = run(
      WindowedMerger.restore(config, handed, {
        handedOver: true,
        sourceIds: batch.map((item) =>
          typeof item === 'string' ? item : item.sourceId,
        ),
      }),
    );

    // Assert: the same outcomes, changes and documents; the handed-over maps are the merger's (changed in place).
    expect(fast).toEqual(full);
    expect(full.results.map((r) => r?.status)).toEqual([
      'duplicate',
      'stale',
      'replaced', // back to what the 05-01 bill counts: its pending move is dropped
      'late',
      'replaced',
      'removed',
      'added',
      'duplicate',
      'duplicate',
    ]);
    const day2 = handed.windows.find(
      (w) => w.key === 'flow-t:SHOP-A|WH-1:2026-05-02',
    );
    expect(Object.keys(day2?.records ?? {}).sort()).toEqual(['T4', 'T6', 'T7']);
  });

  it('should keep the effective hash stored state holds: sha1 of [event time, group, header, rows] as JSON', () => {
    // Arrange
    const merger = new WindowedMerger({ ...CONFIG, headerKeys: ['shopcode'] });
    merger.add(rec('T1', '2026-05-01 10:00:00', [['G1', 2, '1.5']]), DAY1);

    // Act
    const stored = merger.snapshot().windows[0]?.records.T1;

    // Assert: a redelivery of a record persisted by an earlier version must still be recognised.
    const t = Date.parse('2026-05-01T02:00:00.000Z');
    expect(stored?.h).toBe(
      createHash('sha1')
        .update(
          JSON.stringify([
            t,
            ['SHOP-A', 'WH-1'],
            { shopcode: 'SHOP-A' },
            [{ goodsNo: 'G1', sellCount: 2, shareFavourableAfterFee: '1.5' }],
          ]),
        )
        .digest('hex'),
    );
  });

  it('should refuse to restore a corrupted snapshot', () => {
    const merger = new WindowedMerger(CONFIG);
    merger.add(rec('T1', '2026-05-01 10:00:00', [['G1', 1, '1']]), DAY1);
    const broken = JSON.parse(JSON.stringify(merger.snapshot()));
    broken.windows[0].records.T1.h = 42;
    expect(() => WindowedMerger.restore(CONFIG, broken)).toThrow(
      /invalid merge state for flow flow-t: windows\[0\]\.records\.T1\.h/,
    );
  });

  it('should make a correction document for a record that arrives after its window was emitted', () => {
    // Arrange
    const merger = new WindowedMerger(CONFIG);
    merger.add(rec('T1', '2026-05-01 10:00:00', [['G1', 2, '20']]), DAY1);
    merger.add(rec('T9', '2026-05-02 03:00:00', [['G1', 1, '1']]), DAY1);
    expect(merger.due(DAY1 + HOUR)).toEqual([KEY]);
    const original = merger.emit(KEY);
    merger.markEmitted(KEY, DAY1 + HOUR);

    // Act
    const late = merger.add(
      rec('T2', '2026-05-01 23:59:00', [['G1', 3, '30.5']]),
      DAY1 + 2 * HOUR,
    );
    const due = merger.due(DAY1 + 2 * HOUR);
    const correction = merger.emit(late.windowKey);
    merger.markEmitted(late.windowKey, DAY1 + 2 * HOUR);
    const redelivered = merger.add(
      rec('T2', '2026-05-01 23:59:00', [['G1', 3, '30.5']]),
      DAY1 + 3 * HOUR,
    );

    // Assert
    expect(late).toEqual({ status: 'late', windowKey: `${KEY}#late` });
    expect(due).toContain(`${KEY}#late`);
    expect(correction.correctionOf).toBe(original.documentKey);
    expect(correction.documentKey).toMatch(
      new RegExp(`^${KEY.replace(/[|]/g, '\\|')}#c-[0-9a-f]{10}$`),
    );
    expect(correction.sourceIds).toEqual(['T2']);
    expect(
      (correction.record.goodsDetail as Array<Record<string, unknown>>).map(
        (r) => String(r.shareFavourableAfterFee),
      ),
    ).toEqual(['30.5']);
    expect(redelivered.status).toBe('duplicate');
  });

  it('should make no correction document when an emitted record changes only fields the document does not read, and a delta correction for a change it reads', () => {
    // Arrange
    const merger = new WindowedMerger({
      ...CONFIG,
      headerKeys: ['tradeNo', 'shopcode', 'warehouseCode', 'consignTime'],
      rowKeys: ['goodsNo', 'sellCount', 'shareFavourableAfterFee'],
    });
    const v1 = rec('T1', '2026-05-01 10:00:00', [['G1', 2, '20']]);
    merger.add(v1, DAY1);
    merger.markEmitted(KEY, DAY1 + 26 * HOUR);
    const memoOnly: MergeInput = {
      ...v1,
      contentHash: 'h-T1-v2',
      record: { ...v1.record, sellerMemo: '加急', gmtModified: 'later' },
    };
    const qtyChanged: MergeInput = {
      ...v1,
      contentHash: 'h-T1-v3',
      record: {
        ...v1.record,
        goodsDetail: [
          { goodsNo: 'G1', sellCount: 3, shareFavourableAfterFee: '20' },
        ],
      },
    };

    // Act
    const memo = merger.add(memoOnly, DAY1 + 27 * HOUR);
    const qty = (): unknown => merger.add(qtyChanged, DAY1 + 27 * HOUR);

    // Assert: the memo edit is a no-op; the quantity change is a correction carrying only the delta (+1).
    expect(memo).toEqual({ status: 'duplicate', windowKey: KEY });
    expect(qty()).toEqual({ status: 'late', windowKey: `${KEY}#late` });
    expect(merger.due(DAY1 + 28 * HOUR)).toEqual([`${KEY}#late`]);
    expect(totals(merger, `${KEY}#late`)).toEqual([
      { goodsNo: 'G1', qty: '1', fee: '0' },
    ]);
  });

  it('should open a base window (not a correction) for a record behind the watermark whose window never opened, and close it when idle', () => {
    // Arrange: catch-up after a restart — the watermark is already two days ahead.
    const merger = new WindowedMerger(CONFIG);
    merger.add(rec('T1', '2026-05-03 10:00:00', [['G1', 1, '1']]), DAY1);
    const now = DAY1 + 3 * 24 * HOUR;

    // Act
    const first = merger.add(
      rec('T2', '2026-05-01 10:00:00', [['G1', 1, '1']]),
      now,
    );
    const second = merger.add(
      rec('T3', '2026-05-01 11:00:00', [['G1', 2, '2']]),
      now + 60_000,
    );

    // Assert: one base document for the day once the catch-up went quiet, no correction suffix.
    expect(first).toEqual({ status: 'added', windowKey: KEY });
    expect(second).toEqual({ status: 'added', windowKey: KEY });
    expect(merger.due(now + 2 * 60_000)).not.toContain(KEY);
    expect(merger.due(now + 60_000 + CONFIG.idleTimeoutMs)).toContain(KEY);
    expect(merger.emit(KEY).correctionOf).toBeUndefined();
    expect(totals(merger, KEY)).toEqual([
      { goodsNo: 'G1', qty: '3', fee: '3' },
    ]);
  });

  it("should not close yesterday by today's live records while its pages are still read, but when the catch-up goes quiet", () => {
    // Arrange: a first start the next day (wall clock 2026-05-02 03:00 Beijing): yesterday's first page opens
    // its window while the watermark is still yesterday.
    const merger = new WindowedMerger(CONFIG);
    const now = DAY1 + 27 * HOUR;
    merger.add(rec('Y1', '2026-05-01 10:00:00', [['G1', 1, '1']]), now);

    // Act: today's live records move the watermark to now, then the next page of yesterday arrives.
    merger.add(rec('L1', '2026-05-02 02:59:00', [['G1', 1, '1']]), now);
    const dueAmidPages = merger.due(now + 1_000);
    const page = merger.add(
      rec('Y2', '2026-05-01 11:00:00', [['G1', 2, '2']]),
      now + 60_000,
    );

    // Assert: one base bill for yesterday, closed once idle.
    expect(dueAmidPages).toEqual([]);
    expect(page).toEqual({ status: 'added', windowKey: KEY });
    expect(merger.due(now + 60_000 + CONFIG.idleTimeoutMs)).toEqual([KEY]);
    expect(totals(merger, KEY)).toEqual([
      { goodsNo: 'G1', qty: '3', fee: '3' },
    ]);
  });

  it('should still close a window opened after its close by an ordered backfill, whose watermark stays in the past', () => {
    // Arrange: a backfill of 2026-05-01 read months later, day after day.
    const merger = new WindowedMerger(CONFIG);
    const now = DAY1 + 90 * 24 * HOUR;
    merger.add(rec('B1', '2026-05-01 10:00:00', [['G1', 1, '1']]), now);

    // Act
    merger.add(rec('B2', '2026-05-02 09:00:00', [['G1', 1, '1']]), now);

    // Assert
    expect(merger.due(now + 1_000)).toEqual([KEY]);
  });

  it('should correct both windows by the delta when a record moves to another window after emission', () => {
    // Arrange: T1 (2 × G1) and T2 (1 × G1) written in the 05-01 bill.
    const merger = new WindowedMerger(CONFIG);
    merger.add(rec('T1', '2026-05-01 10:00:00', [['G1', 2, '20']]), DAY1);
    merger.add(rec('T2', '2026-05-01 11:00:00', [['G1', 1, '10']]), DAY1);
    const written = [flush(merger, DAY1 + 26 * HOUR)];

    // Act: T1 is re-shipped on 05-02 (its consign time moves), then the day closes.
    const moved = merger.add(
      rec('T1', '2026-05-02 10:00:00', [['G1', 2, '20']], { hash: 'h-T1-v2' }),
      DAY1 + 30 * HOUR,
    );
    written.push(flush(merger, DAY1 + 50 * HOUR));

    // Assert: 05-01 gets −2 in a correction, 05-02 gets +2 in its own bill; every group adds up.
    expect(moved.status).toBe('late');
    const all = written.flat();
    const day1 = all.filter((d) => d.key.startsWith(KEY));
    expect(day1.map((d) => d.correction)).toEqual([false, true]);
    expect(day1[1]?.rows).toEqual([{ goodsNo: 'G1', qty: '-2', fee: '-20' }]);
    expect(groupTotals(all)).toEqual({
      [KEY]: '1',
      'flow-t:SHOP-A|WH-1:2026-05-02': '2',
    });
  });

  it('should write negative lines for a record cancelled after its window was emitted', () => {
    // Arrange
    const merger = new WindowedMerger(CONFIG);
    merger.add(rec('T1', '2026-05-01 10:00:00', [['G1', 2, '20']]), DAY1);
    merger.add(
      rec('T2', '2026-05-01 11:00:00', [
        ['G1', 1, '10'],
        ['G2', 5, '50'],
      ]),
      DAY1,
    );
    const written = [flush(merger, DAY1 + 26 * HOUR)];

    // Act
    const removed = merger.remove('T2', { fetchedAt: 'x' }, DAY1 + 27 * HOUR);
    written.push(flush(merger, DAY1 + 28 * HOUR));
    // A redelivery of the cancelled version changes nothing; nor does a second cancellation.
    const again = merger.remove('T2', { fetchedAt: 'y' }, DAY1 + 29 * HOUR);

    // Assert
    expect(removed).toEqual({ status: 'removed', windowKey: `${KEY}#late` });
    expect(again).toBeUndefined();
    const correction = written.flat().find((d) => d.correction);
    expect(correction?.rows).toEqual([
      { goodsNo: 'G1', qty: '-1', fee: '-10' },
      { goodsNo: 'G2', qty: '-5', fee: '-50' },
    ]);
    expect(correction?.removed).toEqual(['T2']);
    expect(groupTotals(written.flat())).toEqual({ [KEY]: '2' });
    expect(merger.due(DAY1 + 30 * HOUR)).toEqual([]);
  });

  it('should keep the newest version when an older one arrives later, open or emitted', () => {
    // Arrange
    const merger = new WindowedMerger(CONFIG);
    const v2 = {
      ...rec('T1', '2026-05-01 10:00:00', [['G1', 3, '30']], { hash: 'v2' }),
      version: 2_000,
    };
    const v1 = {
      ...rec('T1', '2026-05-01 10:00:00', [['G1', 1, '10']], { hash: 'v1' }),
      version: 1_000,
    };
    merger.add(v2, DAY1);

    // Act
    const open = merger.add(v1, DAY1);
    flush(merger, DAY1 + 26 * HOUR);
    const emitted = merger.add(v1, DAY1 + 27 * HOUR);
    const cancelledBefore = merger.remove(
      'T1',
      { fetchedAt: 'x', version: 1_500 },
      DAY1 + 27 * HOUR,
    );

    // Assert
    expect(open.status).toBe('stale');
    expect(emitted.status).toBe('stale');
    expect(cancelledBefore?.status).toBe('stale');
    expect(merger.due(DAY1 + 28 * HOUR)).toEqual([]);
  });

  it('should give a repeated change (A→B→A→B) a new correction document each time', () => {
    const merger = new WindowedMerger(CONFIG);
    const a = rec('T1', '2026-05-01 10:00:00', [['G1', 1, '1']], { hash: 'a' });
    const b = rec('T1', '2026-05-01 10:00:00', [['G1', 2, '2']], { hash: 'b' });
    merger.add(a, DAY1);
    const docs = [flush(merger, DAY1 + 26 * HOUR)];
    for (const [i, v] of [b, a, b].entries()) {
      merger.add(v, DAY1 + (27 + 2 * i) * HOUR);
      docs.push(flush(merger, DAY1 + (28 + 2 * i) * HOUR));
    }
    const keys = docs.flat().map((d) => d.documentKey);
    expect(new Set(keys).size).toBe(4);
    expect(groupTotals(docs.flat())).toEqual({ [KEY]: '2' });
  });

  it('should emit a quiet window after the idle timeout once its end + grace has passed on the wall clock', () => {
    // Arrange
    const merger = new WindowedMerger(CONFIG);
    const lastSeen = DAY1 + 10 * HOUR;
    merger.add(rec('T1', '2026-05-01 10:00:00', [['G1', 1, '1']]), lastSeen);
    const closeAt = DAY1 + 25 * HOUR;

    // Act + Assert
    expect(merger.due(lastSeen + 11 * 60_000)).toEqual([]);
    expect(merger.due(closeAt - 1)).toEqual([]);
    expect(merger.due(closeAt)).toEqual([KEY]);
  });

  it('should close a window when the watermark passes its end plus grace', () => {
    const merger = new WindowedMerger(CONFIG);
    merger.add(rec('T1', '2026-05-01 10:00:00', [['G1', 1, '1']]), DAY1);
    merger.add(rec('T2', '2026-05-02 00:59:59', [['G1', 1, '1']]), DAY1);
    expect(merger.due(DAY1)).toEqual([]);
    merger.add(rec('T3', '2026-05-02 01:00:00', [['G1', 1, '1']]), DAY1);
    expect(merger.due(DAY1)).toEqual([KEY]);
  });

  it('should aggregate with $min $max $first $last $count', () => {
    // Arrange
    const merger = new WindowedMerger({
      ...CONFIG,
      calculate: [
        { field: 'price', op: '$min' },
        { field: 'top', op: '$max' },
        { field: 'name', op: '$first' },
        { field: 'memo', op: '$last' },
        { field: 'lines', op: '$count' },
      ],
    });
    const row = (price: string, top: number, name: string, memo: string) => ({
      goodsNo: 'G1',
      price,
      top,
      name,
      memo,
    });

    // Act
    merger.add(
      {
        ...rec('T1', '2026-05-01 09:00:00', []),
        record: {
          ...rec('T1', '2026-05-01 09:00:00', []).record,
          goodsDetail: [row('5.5', 1, 'a', 'x'), row('2.25', 9, 'b', 'y')],
        },
      },
      DAY1,
    );
    merger.add(
      {
        ...rec('T2', '2026-05-01 10:00:00', []),
        record: {
          ...rec('T2', '2026-05-01 10:00:00', []).record,
          goodsDetail: [row('3', 4, 'c', 'z')],
        },
      },
      DAY1,
    );
    const merged = (
      merger.emit(KEY).record.goodsDetail as Array<Record<string, unknown>>
    )[0] as Record<string, unknown>;

    // Assert
    expect({
      ...merged,
      price: String(merged.price),
      top: String(merged.top),
      lines: String(merged.lines),
    }).toMatchObject({
      price: '2.25',
      top: '9',
      name: 'a',
      memo: 'z',
      lines: '3',
    });
  });

  it('should reject a record with a non-numeric summed field, naming the row', () => {
    const merger = new WindowedMerger(CONFIG);
    expect(() =>
      merger.add(
        rec('T1', '2026-05-01 10:00:00', [
          ['G1', 1, '1'],
          ['G2', 'x', '1'],
        ]),
        DAY1,
      ),
    ).toThrow(
      expect.objectContaining({
        errorClass: 'mapping',
        fieldPath: 'goodsDetail[1].sellCount',
      }),
    );
    expect(merger.stats().openRecords).toBe(0);
  });

  it('should rebuild exactly the same state from incrementally persisted changes', () => {
    // Arrange: a fake store with one table of windows and one of records.
    const merger = new WindowedMerger({ ...CONFIG, trackChanges: true });
    const windowRows = new Map<string, WindowMeta>();
    const recordRows = new Map<string, PersistedRecord>();
    let watermark: number | null = null;
    const persist = () => {
      const c = merger.takeRecordChanges();
      for (const key of c.deletedWindows) {
        windowRows.delete(key);
        for (const [k, r] of recordRows)
          if (r.windowKey === key) recordRows.delete(k);
      }
      for (const w of c.windows) windowRows.set(w.key, w);
      for (const r of c.records) {
        const k = `${r.windowKey}/${r.sourceId}`;
        if (r.op === 'delete') recordRows.delete(k);
        else if (r.op === 'put')
          recordRows.set(k, {
            windowKey: r.windowKey,
            sourceId: r.sourceId,
            hash: r.contribution.h,
            contribution: r.contribution,
          });
        else
          recordRows.set(k, {
            windowKey: r.windowKey,
            sourceId: r.sourceId,
            hash: r.hash,
            contribution: null,
          });
      }
      watermark = c.watermark;
    };
    const sorted = (s: MergeStateSnapshot) =>
      [...s.windows].sort((a, b) => (a.key < b.key ? -1 : 1));

    // Act: adds, an update that moves a record, emission, a late record, its correction, pruning.
    merger.add(rec('T1', '2026-05-01 10:00:00', [['G1', 1, '1.1']]), DAY1);
    merger.add(rec('T2', '2026-05-01 11:00:00', [['G2', 2, '2.2']]), DAY1);
    persist();
    merger.add(
      rec('T2', '2026-05-02 11:00:00', [['G2', 3, '3.3']], { hash: 'h-T2-v2' }),
      DAY1,
    );
    merger.add(rec('T3', '2026-05-02 12:00:00', [['G1', 1, '1']]), DAY1);
    merger.add(rec('T1', '2026-05-01 10:00:00', [['G1', 1, '1.1']]), DAY1);
    persist();
    for (const key of merger.due(DAY1 + 49 * HOUR))
      merger.markEmitted(key, DAY1 + 49 * HOUR);
    merger.add(
      rec('T4', '2026-05-01 09:00:00', [['G1', 4, '4']]),
      DAY1 + 50 * HOUR,
    );
    persist();
    for (const key of merger.due(DAY1 + 50 * HOUR))
      merger.markEmitted(key, DAY1 + 50 * HOUR);
    merger.add(
      rec('T5', '2026-05-01 08:00:00', [['G1', 5, '5']]),
      DAY1 + 51 * HOUR,
    );
    merger.add(
      rec('T9', '2026-05-20 10:00:00', [['G1', 1, '1']]),
      DAY1 + 51 * HOUR,
    );
    merger.due(DAY1 + 51 * HOUR);
    persist();

    // Assert
    const rebuilt = WindowedMerger.assembleSnapshot(
      watermark,
      [...windowRows.values()],
      [...recordRows.values()],
    );
    expect(sorted(rebuilt)).toEqual(sorted(merger.snapshot()));
    const restored = WindowedMerger.restore(CONFIG, rebuilt);
    expect(restored.stats()).toEqual(merger.stats());
    expect(
      restored.add(rec('T5', '2026-05-01 08:00:00', [['G1', 5, '5']]), DAY1)
        .status,
    ).toBe('duplicate');
    // The emitted 2026-05-01 window is past its dedup retention (watermark 05-20 > end + 7 d), but T5's
    // correction is still pending, so it keeps its contributions: a redelivery is dropped, a change is a delta.
    expect(
      restored.add(rec('T4', '2026-05-01 09:00:00', [['G1', 4, '4']]), DAY1)
        .status,
    ).toBe('duplicate');
    expect(
      restored.add(
        rec('T4', '2026-05-01 09:00:00', [['G1', 9, '9']], { hash: 'h-T4-v2' }),
        DAY1,
      ).status,
    ).toBe('late');
  });

  it('should keep only hashes past the dedup retention: drop a redelivery, refuse a change whose delta is unknown', () => {
    const merger = new WindowedMerger(CONFIG);
    merger.add(rec('T1', '2026-05-01 10:00:00', [['G1', 1, '1']]), DAY1);
    flush(merger, DAY1 + 26 * HOUR);
    merger.add(rec('T9', '2026-05-20 10:00:00', [['G1', 1, '1']]), DAY1);
    merger.due(DAY1);
    expect(
      merger.add(rec('T1', '2026-05-01 10:00:00', [['G1', 1, '1']]), DAY1)
        .status,
    ).toBe('duplicate');
    expect(() =>
      merger.add(
        rec('T1', '2026-05-01 10:00:00', [['G1', 9, '9']], { hash: 'h-T1-v2' }),
        DAY1,
      ),
    ).toThrow(/past the flow's dedupRetention/);
  });

  it('should refuse a record of a window older than the history retention instead of writing it again', () => {
    const merger = new WindowedMerger({
      ...CONFIG,
      historyRetentionMs: 30 * 24 * HOUR,
    });
    merger.add(rec('T1', '2026-06-15 10:00:00', [['G1', 1, '1']]), DAY1);
    expect(() =>
      merger.add(rec('T0', '2026-05-01 10:00:00', [['G1', 1, '1']]), DAY1),
    ).toThrow(/closed longer ago than the flow's history retention/);
  });

  it('should give windows shorter than a minute a compact label with seconds, so their bill numbers differ', () => {
    const merger = new WindowedMerger({ ...CONFIG, sizeMs: 20_000 });
    const a = merger.add(
      rec('T1', '2026-05-01 10:00:05', [['G1', 1, '1']]),
      DAY1,
    );
    const b = merger.add(
      rec('T2', '2026-05-01 10:00:25', [['G1', 1, '1']]),
      DAY1,
    );
    const labels = [a.windowKey, b.windowKey].map(
      (k) => (merger.emit(k).record._window as { compact: string }).compact,
    );
    expect(labels).toEqual(['20260501100000', '20260501100020']);
  });

  it('should list every open window at the end of input, those opened behind the watermark too', () => {
    const merger = new WindowedMerger(CONFIG);
    merger.add(rec('T2', '2026-05-02 10:00:00', [['G1', 1, '1']]), DAY1);
    merger.add(rec('T1', '2026-05-01 10:00:00', [['G1', 1, '1']]), DAY1);
    expect(merger.due(DAY1, Number.MAX_SAFE_INTEGER)).toEqual([
      'flow-t:SHOP-A|WH-1:2026-05-02',
    ]);
    expect(merger.openWindows()).toEqual([
      KEY,
      'flow-t:SHOP-A|WH-1:2026-05-02',
    ]);
  });

  it('should refuse takeRecordChanges when change tracking is off', () => {
    expect(() => new WindowedMerger(CONFIG).takeRecordChanges()).toThrow(
      /trackChanges/,
    );
  });

  it('should report changed and pruned windows for whole-window persistence', () => {
    // Arrange
    const merger = new WindowedMerger({
      ...CONFIG,
      historyRetentionMs: 14 * 24 * HOUR,
    });
    merger.add(rec('T1', '2026-05-01 10:00:00', [['G1', 1, '1']]), DAY1);
    const first = merger.takeChanges();
    merger.markEmitted(KEY, DAY1);
    merger.add(rec('T2', '2026-05-20 10:00:00', [['G1', 1, '1']]), DAY1);

    // Act
    merger.due(DAY1);
    const second = merger.takeChanges();

    // Assert
    expect(first.upserted.map((w) => w.key)).toEqual([KEY]);
    expect(second.deleted).toEqual([KEY]);
    expect(second.upserted.map((w) => w.key)).toEqual([
      'flow-t:SHOP-A|WH-1:2026-05-20',
    ]);
    expect(merger.takeChanges()).toMatchObject({ upserted: [], deleted: [] });
  });
});

describe('windowed merger: event time per partition', () => {
  /** A record read from partition `p` of the raw topic. */
  const on = (p: number, input: MergeInput): MergeInput => ({
    ...input,
    offset: { topic: 'raw', partition: p, offset: String(seq) },
  });
  // Wall clock of a replay months later: windows open after their close, the watermark stays in the past.
  const NOW = DAY1 + 90 * 24 * HOUR;

  it("should not close a slower partition's window by a faster partition's event time, and close it once the slower one passes it", () => {
    // Arrange: partition 1 replays 05-03 (far ahead), partition 0 is still reading 05-01.
    const merger = new WindowedMerger(CONFIG);
    merger.add(on(0, rec('A1', '2026-05-01 10:00:00', [['G1', 1, '1']])), NOW);
    merger.add(on(1, rec('B1', '2026-05-03 10:00:00', [['G1', 5, '5']])), NOW);
    merger.add(on(1, rec('B2', '2026-05-03 20:00:00', [['G1', 5, '5']])), NOW);

    // Act: partition 0 goes on with 05-01, then moves past its end + grace.
    const dueWhileBehind = merger.due(NOW + 1_000);
    const later = merger.add(
      on(0, rec('A2', '2026-05-01 23:00:00', [['G1', 2, '2']])),
      NOW + 2_000,
    );
    const dueStill = merger.due(NOW + 3_000);
    merger.add(
      on(0, rec('A3', '2026-05-02 01:00:00', [['G1', 1, '1']])),
      NOW + 4_000,
    );

    // Assert: the flow's watermark is the minimum (partition 0), the highest read is kept too.
    expect(dueWhileBehind).toEqual([]);
    expect(later).toEqual({ status: 'added', windowKey: KEY });
    expect(dueStill).toEqual([]);
    expect(merger.effectiveWatermark(NOW + 5_000)).toBe(
      Date.parse('2026-05-01T17:00:00.000Z'),
    );
    expect(merger.currentWatermark()).toBe(
      Date.parse('2026-05-03T12:00:00.000Z'),
    );
    expect(merger.due(NOW + 5_000)).toEqual([KEY]);
    expect(merger.emit(KEY).correctionOf).toBeUndefined();
    expect(totals(merger, KEY)).toEqual([
      { goodsNo: 'G1', qty: '3', fee: '3' },
    ]);
  });

  it('should not mark the window of a partition read after a faster one as behind: it closes by that partition, not only when idle', () => {
    // Arrange: partition 1 is read first, far ahead.
    const merger = new WindowedMerger(CONFIG);
    merger.add(on(1, rec('B1', '2026-05-03 10:00:00', [['G1', 5, '5']])), NOW);

    // Act
    merger.add(on(0, rec('A1', '2026-05-01 10:00:00', [['G1', 1, '1']])), NOW);
    const dueAfterFirst = merger.due(NOW + 1_000);
    merger.add(
      on(0, rec('A2', '2026-05-02 02:00:00', [['G1', 1, '1']])),
      NOW + 2_000,
    );

    // Assert
    expect(dueAfterFirst).toEqual([]);
    expect(merger.due(NOW + 3_000)).toEqual([KEY]);
  });

  it('should stop counting a partition that read nothing for the idle timeout, so it does not hold the watermark back forever', () => {
    // Arrange: partition 0 read 05-01 once and went quiet; partition 1 keeps reading 05-03 and keeps the
    // 05-01 window busy (late-modified records of that day), so only the watermark can close it.
    const merger = new WindowedMerger(CONFIG);
    merger.add(on(0, rec('A1', '2026-05-01 10:00:00', [['G1', 1, '1']])), NOW);
    merger.add(on(1, rec('B1', '2026-05-03 10:00:00', [['G1', 5, '5']])), NOW);
    const beforeIdle = NOW + CONFIG.idleTimeoutMs - 1_000;
    merger.add(
      on(1, rec('B2', '2026-05-01 12:00:00', [['G1', 2, '2']])),
      beforeIdle,
    );

    // Act + Assert: still counted just before its idle timeout, not after it.
    expect(merger.due(beforeIdle)).toEqual([]);
    const afterIdle = NOW + CONFIG.idleTimeoutMs;
    expect(merger.effectiveWatermark(afterIdle)).toBe(
      Date.parse('2026-05-03T02:00:00.000Z'),
    );
    expect(merger.due(afterIdle)).toContain(KEY);
    expect(totals(merger, KEY)).toEqual([
      { goodsNo: 'G1', qty: '3', fee: '3' },
    ]);
  });

  it('should not count downtime as idleness: after a restart every known partition counts again until it stays quiet for the idle timeout', () => {
    // Arrange: both partitions were read before the transform went down for two hours.
    const before = new WindowedMerger({ ...CONFIG, trackChanges: true });
    before.add(on(0, rec('A1', '2026-05-01 10:00:00', [['G1', 1, '1']])), NOW);
    before.add(on(1, rec('B1', '2026-05-02 10:00:00', [['G1', 5, '5']])), NOW);
    const persisted = before.takeRecordChanges();
    const restored = WindowedMerger.restore(CONFIG, before.snapshot());
    const restart = NOW + 2 * HOUR;

    // Act: after the restart partition 1 is read first, far ahead.
    restored.add(
      on(1, rec('B2', '2026-05-03 10:00:00', [['G1', 5, '5']])),
      restart,
    );

    // Assert: partition 0 still holds the watermark at its event time until it stays quiet past the idle timeout.
    expect(persisted.eventTimes?.partitions['raw/0']).toEqual({
      t: Date.parse('2026-05-01T02:00:00.000Z'),
      seen: NOW,
    });
    expect(restored.effectiveWatermark(restart + 1_000)).toBe(
      Date.parse('2026-05-01T02:00:00.000Z'),
    );
    expect(restored.effectiveWatermark(restart + CONFIG.idleTimeoutMs)).toBe(
      Date.parse('2026-05-03T02:00:00.000Z'),
    );
  });

  it('should persist the event times only when a batch read something, and rebuild them from the persisted row', () => {
    // Arrange
    const merger = new WindowedMerger({ ...CONFIG, trackChanges: true });
    merger.add(on(2, rec('A1', '2026-05-01 10:00:00', [['G1', 1, '1']])), NOW);

    // Act
    const first = merger.takeRecordChanges();
    merger.due(NOW + 1_000);
    const second = merger.takeRecordChanges();
    const rebuilt = WindowedMerger.restore(
      CONFIG,
      WindowedMerger.assembleSnapshot(
        first.watermark,
        first.windows,
        [],
        first.eventTimes,
      ),
    );

    // Assert
    expect(first.eventTimes).toEqual({
      resumedAt: NOW,
      partitions: {
        'raw/2': { t: Date.parse('2026-05-01T02:00:00.000Z'), seen: NOW },
      },
    });
    expect(second.eventTimes).toBeUndefined();
    expect(rebuilt.eventTimes()).toEqual(first.eventTimes);
  });

  it('should keep one watermark (the highest event time) for records without a partition', () => {
    const merger = new WindowedMerger(CONFIG);
    merger.add(rec('T1', '2026-05-01 10:00:00', [['G1', 1, '1']]), NOW);
    merger.add(rec('T2', '2026-05-03 10:00:00', [['G1', 1, '1']]), NOW);
    expect(merger.eventTimes()).toEqual({ partitions: {} });
    expect(merger.effectiveWatermark(NOW + 1_000)).toBe(
      Date.parse('2026-05-03T02:00:00.000Z'),
    );
    expect(merger.due(NOW + 1_000)).toEqual([KEY]);
  });
});

describe('decimal', () => {
  it.each([
    ['0.1', '0.2', '0.3'],
    ['1.0000', '-0.0001', '0.9999'],
    ['1e3', '0.5', '1000.5'],
    ['-19.90', '19.9', '0'],
  ])('should add %s and %s exactly', (a, b, sum) => {
    expect(
      (Decimal.parse(a) as Decimal).add(Decimal.parse(b) as Decimal).toString(),
    ).toBe(sum);
  });

  it('should divide, round half up and compare', () => {
    const d = (s: string) => Decimal.parse(s) as Decimal;
    expect(d('100').div(d('3'))?.toString()).toBe('33.3333333333');
    expect(d('2').div(d('3'))?.round(2).toString()).toBe('0.67');
    expect(d('-2.5').round(0).toString()).toBe('-3');
    expect(d('1').div(d('0'))).toBeUndefined();
    expect(d('0.10').cmp(d('0.1'))).toBe(0);
    expect(d('1.2').mul(d('-0.5')).toString()).toBe('-0.6');
    expect(Decimal.parse('abc')).toBeUndefined();
  });
});
