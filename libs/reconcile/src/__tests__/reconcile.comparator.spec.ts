import { describe, expect, it } from 'vitest';
import type { KingdeeDocument } from '../inventory.port';
import {
  compareInventories,
  type ExpectedDocument,
} from '../reconcile.comparator';

const expected = (
  billNo: string,
  qty: number,
  amount: number,
  extra: Partial<ExpectedDocument> = {},
): ExpectedDocument => ({
  billNo,
  documentKey: billNo,
  sourceIds: [`src-${billNo}`],
  day: '2026-11-20',
  totals: { qty, amount },
  ...extra,
});

const stored = (
  billNo: string,
  rows: { qty: number; amount: number }[],
  extra: Partial<KingdeeDocument> = {},
): KingdeeDocument => ({
  id: `id-${billNo}`,
  billNo,
  writeCount: 1,
  firstWrittenAt: '2026-11-20T10:00:00.000Z',
  body: {
    model: {
      FBillNo: billNo,
      FEntity: rows.map((r) => ({ FRealQty: r.qty, FAllAmount: r.amount })),
    },
  },
  ...extra,
});

describe('compareInventories', () => {
  it('should report nothing when every expected document is stored once with its sums', () => {
    const result = compareInventories({
      expected: [expected('A1', 2, 10), expected('A2', 1, 5)],
      actual: [
        stored('A1', [{ qty: 2, amount: 10 }]),
        stored('a2', [{ qty: 1, amount: 5 }]),
      ],
    });
    expect(result.counts).toEqual({
      expected: 2,
      actual: 2,
      matched: 2,
      missing: 0,
      extra: 0,
      duplicate: 0,
      mismatch: 0,
      changed: 0,
      reversed: 0,
      outside: 0,
    });
    expect(result.days).toEqual([
      {
        day: '2026-11-20',
        expected: { documents: 2, qty: 3, amount: 15 },
        actual: { documents: 2, qty: 3, amount: 15 },
        match: true,
      },
    ]);
  });

  it('should list a missing document with its source ids when Kingdee lacks it', () => {
    const result = compareInventories({
      expected: [
        expected('A1', 2, 10),
        expected('A2', 1, 5, { sourceIds: ['s-9', 's-10'] }),
      ],
      actual: [stored('A1', [{ qty: 2, amount: 10 }])],
    });
    expect(result.counts.missing).toBe(1);
    expect(result.missing).toEqual([
      {
        billNo: 'A2',
        documentKey: 'A2',
        day: '2026-11-20',
        sourceIds: ['s-9', 's-10'],
      },
    ]);
    expect(result.days[0]?.match).toBe(false);
  });

  it('should list an extra document when Kingdee holds a bill no source record explains', () => {
    const result = compareInventories({
      expected: [expected('A1', 2, 10)],
      actual: [
        stored('A1', [{ qty: 2, amount: 10 }]),
        stored('ZZ', [{ qty: 1, amount: 1 }]),
        stored('OTHER-1', []),
      ],
      isExtraCandidate: (d) => !d.billNo.startsWith('OTHER'),
    });
    expect(result.extra).toEqual([
      {
        billNo: 'ZZ',
        id: 'id-ZZ',
        writeCount: 1,
        totals: { qty: 1, amount: 1 },
        day: '2026-11-20',
      },
    ]);
    expect(result.counts.extra).toBe(1);
  });

  it('should report a duplicate when a bill was written twice or stored twice', () => {
    const result = compareInventories({
      expected: [expected('A1', 2, 10), expected('A2', 1, 5)],
      actual: [
        stored('A1', [{ qty: 2, amount: 10 }], { writeCount: 2 }),
        stored('A2', [{ qty: 1, amount: 5 }]),
        stored('A2', [{ qty: 1, amount: 5 }], { id: 'second' }),
      ],
    });
    expect(result.counts.duplicate).toBe(2);
    expect(result.duplicates).toEqual([
      {
        billNo: 'A1',
        ids: ['id-A1'],
        writeCount: 2,
        reason: 'written-more-than-once',
        sourceIds: ['src-A1'],
      },
      {
        billNo: 'A2',
        ids: ['id-A2', 'second'],
        writeCount: 2,
        reason: 'same-bill-twice',
        sourceIds: ['src-A2'],
      },
    ]);
    // The second copy is not added to the sums.
    expect(result.counts.mismatch).toBe(0);
  });

  it('should match a merge group exactly when the document carries the group sums', () => {
    const result = compareInventories({
      expected: [
        expected('JKY20261120-S1-W1', 7, 70.5, { group: 'S1|W1|2026-11-20' }),
      ],
      actual: [
        stored('JKY20261120-S1-W1', [
          { qty: 3, amount: 30.25 },
          { qty: 4, amount: 40.25 },
        ]),
      ],
    });
    expect(result.groups).toEqual([
      {
        group: 'S1|W1|2026-11-20',
        billNo: 'JKY20261120-S1-W1',
        sourceIds: ['src-JKY20261120-S1-W1'],
        expected: { qty: 7, amount: 70.5 },
        actual: { qty: 7, amount: 70.5 },
        bills: ['JKY20261120-S1-W1'],
        status: 'ok',
      },
    ]);
  });

  it('should flag a merge group as mismatched when its sums differ by a unit', () => {
    const result = compareInventories({
      expected: [expected('G1', 7, 70, { group: 'g1' })],
      actual: [stored('G1', [{ qty: 6, amount: 70 }])],
    });
    expect(result.groups[0]?.status).toBe('mismatch');
    expect(result.mismatches).toEqual([
      {
        billNo: 'G1',
        sourceIds: ['src-G1'],
        expected: { qty: 7, amount: 70 },
        actual: { qty: 6, amount: 70 },
      },
    ]);
  });

  it('should count correction documents towards their group when they add up to its totals', () => {
    const result = compareInventories({
      expected: [expected('G1', 7, 70, { group: 'g1' })],
      actual: [
        stored('G1', [{ qty: 5, amount: 50 }]),
        stored('G1-C0a1b2c', [{ qty: 2, amount: 20 }]),
      ],
    });
    expect(result.groups[0]).toMatchObject({
      status: 'ok',
      actual: { qty: 7, amount: 70 },
      bills: ['G1', 'G1-C0a1b2c'],
    });
    expect(result.counts).toMatchObject({
      extra: 0,
      missing: 0,
      duplicate: 0,
      mismatch: 0,
    });
  });

  it('should match a merge group held only as corrections when every record of the window came late', () => {
    const result = compareInventories({
      expected: [expected('G1', 3, 30, { group: 'g1' })],
      actual: [
        stored('G1-CAAAAAA', [{ qty: 1, amount: 10 }]),
        stored('G1-CBBBBBB', [{ qty: 2, amount: 20 }]),
      ],
    });
    expect(result.groups[0]).toMatchObject({
      status: 'ok',
      bills: ['G1-CAAAAAA', 'G1-CBBBBBB'],
    });
    expect(result.counts).toMatchObject({ matched: 1, missing: 0, extra: 0 });
  });

  it('should not accept a correction for a one-to-one document', () => {
    const result = compareInventories({
      expected: [expected('A1', 1, 1)],
      actual: [
        stored('A1', [{ qty: 1, amount: 1 }]),
        stored('A1-C0a1b2c', [{ qty: 1, amount: 1 }]),
      ],
    });
    expect(result.extra.map((e) => e.billNo)).toEqual(['A1-C0a1b2c']);
  });

  it('should count a reversed document, its reversal and its new version as the one document of the record', () => {
    // Arrange: written with 2, then changed to 7 (reverse: -R1 negates the 2, -V2 carries the 7).
    const actual = [
      stored('A1', [{ qty: 2, amount: 10 }]),
      stored('A1-R1', [{ qty: -2, amount: -10 }]),
      stored('A1-V2', [{ qty: 7, amount: 35 }]),
    ];

    // Act
    const result = compareInventories({
      expected: [expected('A1', 7, 35)],
      actual,
    });

    // Assert
    expect(result.counts).toMatchObject({
      matched: 1,
      extra: 0,
      duplicate: 0,
      mismatch: 0,
      actual: 3,
    });
  });

  it('should count a withdrawn record whose bill was reversed as reversed, neither extra nor a mismatch', () => {
    // Act
    const result = compareInventories({
      expected: [expected('A2', 1, 5)],
      actual: [
        stored('A1', [{ qty: 2, amount: 10 }]),
        stored('A1-R1', [{ qty: -2, amount: -10 }]),
        stored('A2', [{ qty: 1, amount: 5 }]),
        stored('B1', [{ qty: 3, amount: 3 }]),
        stored('B1-R1', [{ qty: -1, amount: -1 }]),
      ],
    });

    // Assert: B1 and its reversal do not cancel out, so both are extra.
    expect(result.counts).toMatchObject({ matched: 1, reversed: 1, extra: 2 });
    expect(result.extra.map((e) => e.billNo)).toEqual(['B1', 'B1-R1']);
  });

  it('should report a written document of a record that left the filter as changed after write, not extra', () => {
    // Act: C1 was written, then cancelled at the source (withdrawn, the plan's rule held it as a dead letter);
    // W1 was withdrawn before it was ever written; D1 is a Kingdee bill nobody expects.
    const result = compareInventories({
      expected: [expected('A1', 2, 10)],
      withdrawn: [
        expected('C1', 4, 40, {
          modifiedAt: Date.parse('2026-11-21T00:00:00Z'),
        }),
        expected('W1', 1, 1),
      ],
      actual: [
        stored('A1', [{ qty: 2, amount: 10 }]),
        stored('C1', [{ qty: 4, amount: 40 }]),
        stored('D1', [{ qty: 1, amount: 1 }]),
      ],
    });

    // Assert
    expect(result.counts).toMatchObject({
      matched: 1,
      changed: 1,
      extra: 1,
      missing: 0,
    });
    expect(result.changed).toEqual([
      {
        billNo: 'C1',
        sourceIds: ['src-C1'],
        written: { qty: 4, amount: 40 },
        source: { qty: 0, amount: 0 },
        writtenAt: '2026-11-20T10:00:00.000Z',
        sourceModifiedAt: '2026-11-21T00:00:00.000Z',
      },
    ]);
    expect(result.extra.map((e) => e.billNo)).toEqual(['D1']);
  });
});
