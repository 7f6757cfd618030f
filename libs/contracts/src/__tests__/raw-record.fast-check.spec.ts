import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  checkRawRecordFast,
  isIsoDateTimeWithOffset,
} from '../topics/raw-record.fast-check';
import {
  rawRecordSchema,
  rawTopicMessageSchema,
  rawTopicMessageZodSchema,
} from '../topics/raw-record.schema';

/** The raw topic schema as it was before the fast path: zod alone decides. */
const zodOnly = rawTopicMessageZodSchema;

const RECORD = {
  schemaVersion: 1,
  platform: 'wdt',
  entity: 'stockout-order',
  stream: 'wdt.stockout-order.shipped',
  sourceId: '1001',
  modifiedAt: '2026-04-01T10:00:00.000+08:00',
  contentHash: '0123456789abcdef'.repeat(4),
  payload: { stockout_id: 1001, details_list: [{ goods_no: 'G1' }], '7': 'x' },
  runId: 'run-1',
  fetchedAt: '2026-04-01T02:00:00.000Z',
};

/** Deterministic PRNG (mulberry32), so a failure names a reproducible case. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Same success, same output (key order included), same issues: the fast path changes nothing visible. */
function expectSameAsZod(value: unknown): 'accepted' | 'rejected' {
  const fast = checkRawRecordFast(value);
  const before = zodOnly.safeParse(value);
  const now = rawTopicMessageSchema.safeParse(value);
  expect(now.success).toBe(before.success);
  if (before.success) {
    expect(JSON.stringify(now.data)).toBe(JSON.stringify(before.data));
    expect(now.data).toEqual(before.data);
  } else {
    expect(fast).toBeUndefined();
    expect(now.error?.issues).toEqual(before.error?.issues);
  }
  if (fast !== undefined) {
    const direct = rawRecordSchema.safeParse(value);
    expect(direct.success).toBe(true);
    expect(JSON.stringify(fast)).toBe(JSON.stringify(direct.data));
    expect(fast).toEqual(direct.data);
  }
  return before.success ? 'accepted' : 'rejected';
}

const zodDateTime = z.string().datetime({ offset: true });

describe('raw record fast check', () => {
  it('should take the usual record, with the output zod gives (payload copied, unknown keys dropped)', () => {
    const value = { ...RECORD, extra: 'dropped' };
    const fast = checkRawRecordFast(value);
    expect(fast).toBeDefined();
    expect(fast).toEqual(rawRecordSchema.parse(value));
    expect(fast?.payload).not.toBe(RECORD.payload);
    expect(expectSameAsZod(value)).toBe('accepted');
  });

  it('should tell date-times exactly as zod does, over random near-valid strings', () => {
    const rnd = prng(17);
    const pick = <T>(xs: readonly T[]): T =>
      xs[Math.floor(rnd() * xs.length)] as T;
    const num = (max: number, width: number): string =>
      String(Math.floor(rnd() * (max + 1))).padStart(width, '0');
    let accepted = 0;
    for (let i = 0; i < 20_000; i += 1) {
      const year = pick([
        num(9999, 4),
        '2000',
        '1900',
        '2024',
        '2100',
        '0000',
        '1600',
        '2023',
        '999',
        '20a4',
      ]);
      const month = pick([num(13, 2), '02', '2', '1a']);
      const day = pick([num(32, 2), '29', '28', '30', '31', '9']);
      const time = `${num(25, 2)}:${num(61, 2)}:${num(61, 2)}`;
      const fraction = pick([
        '',
        '',
        '.',
        `.${num(999, 3)}`,
        `.${num(9, 1)}`,
        `.${num(999_999_999, 9)}`,
        '.12a',
      ]);
      const zone = pick([
        'Z',
        'z',
        '',
        `+${num(24, 2)}:${num(60, 2)}`,
        `-${num(24, 2)}:${num(60, 2)}`,
        '+0800',
        '+08',
        '+08:00:00',
        'Z\n',
        ' Z',
      ]);
      const sep = pick(['T', 'T', 'T', 't', ' ']);
      const s = `${year}-${month}-${day}${sep}${time}${fraction}${zone}`;
      const expected = zodDateTime.safeParse(s).success;
      if (isIsoDateTimeWithOffset(s) !== expected)
        throw new Error(`disagrees with zod on '${s}' (zod: ${expected})`);
      if (expected) accepted += 1;
    }
    // Not a vacuous comparison: both kinds came up many times.
    expect(accepted).toBeGreaterThan(300);
    expect(accepted).toBeLessThan(19_000);
  });

  it('should agree with zod on every kind of rejection the schema gives', () => {
    const sym = Symbol('s');
    const nonEnumerable = { a: 1 };
    Object.defineProperty(nonEnumerable, 'hidden', {
      value: 2,
      enumerable: false,
    });
    class Payload {
      a = 1;
    }
    const variants: Record<string, readonly unknown[]> = {
      schemaVersion: [undefined, 2, '1', 0, null, true, 1.5],
      platform: [undefined, 'WDT', '', 'king dee', 1, null],
      entity: [undefined, 'Stockout_Order', '', 3, null],
      stream: [undefined, '', 5, null, ['s']],
      sourceId: [undefined, '', 1001, null],
      modifiedAt: [
        undefined,
        '',
        '2026-04-01T10:00:00',
        '2026-04-01 10:00:00Z',
        '2026-02-30T10:00:00Z',
        '2026-04-01T24:00:00Z',
        '2026-04-01T10:00:00+0800',
        1_775_000_000_000,
        null,
      ],
      contentHash: [
        undefined,
        '',
        'a'.repeat(63),
        'a'.repeat(65),
        'A'.repeat(64),
        `${'a'.repeat(63)}g`,
        64,
      ],
      payload: [
        undefined,
        null,
        [],
        [1, 2],
        'text',
        5,
        Object.create(null) as object,
        new Payload(),
        new Date(0),
        new Map(),
        JSON.parse('{"__proto__": {"polluted": 1}, "a": 1}') as object,
        { constructor: 'x', a: 1 },
        { [sym]: 1, a: 1 },
        nonEnumerable,
      ],
      runId: [undefined, '', 7, null],
      fetchedAt: [undefined, '', '2026-13-01T00:00:00Z', 'yesterday', 0],
    };
    let rejected = 0;
    for (const [field, values] of Object.entries(variants)) {
      for (const v of values) {
        const value: Record<string, unknown> = { ...RECORD };
        if (v === undefined) delete value[field];
        else value[field] = v;
        if (expectSameAsZod(value) === 'rejected') rejected += 1;
      }
    }
    expect(rejected).toBeGreaterThan(60);
    // Whole values that are not records, replays, and records that also name a window.
    for (const value of [
      null,
      undefined,
      'x',
      42,
      [],
      [RECORD],
      {},
      { windowKey: 'k', flow: 'f', sourceIds: ['T1'] },
      { windowKey: 'k', sourceIds: [] },
      { ...RECORD, windowKey: 'k' },
      Object.assign(Object.create(null) as object, RECORD),
    ])
      expectSameAsZod(value);
  });

  it('should agree with zod over random records built from valid and invalid parts', () => {
    const rnd = prng(4242);
    const pick = <T>(xs: readonly T[]): T =>
      xs[Math.floor(rnd() * xs.length)] as T;
    const parts: Record<string, readonly unknown[]> = {
      schemaVersion: [1, 1, 1, 2, '1'],
      platform: ['wdt', 'jackyun', 'jushuitan', 'xiaoman', 'Kingdee'],
      entity: [
        'sales-order',
        'stockout-order',
        'sales-channel',
        'inventory-count',
        'order',
      ],
      stream: ['s', 'wdt.stockout-order.shipped', ''],
      sourceId: ['1', '9007199254740993', '', 12],
      modifiedAt: [
        '2026-04-01T10:00:00.000+08:00',
        '2024-02-29T23:59:59Z',
        '2023-02-29T23:59:59Z',
        '2026-04-01T10:00:00.123456Z',
        '2026-04-01T10:00:00',
      ],
      contentHash: ['f'.repeat(64), '0'.repeat(64), 'F'.repeat(64), 'x'],
      payload: [
        {},
        { a: 1, b: { c: [1, '2', null] } },
        { 10: 'ten', 2: 'two', z: 'z' },
        JSON.parse('{"__proto__": 1}') as object,
        [],
        null,
      ],
      runId: ['run', '', null],
      fetchedAt: [
        '2026-04-01T02:00:00.000Z',
        '2026-04-01T02:00:00.000-05:30',
        '2026-04-31T02:00:00Z',
      ],
    };
    const counts = { accepted: 0, rejected: 0 };
    for (let i = 0; i < 3000; i += 1) {
      const value: Record<string, unknown> = {};
      for (const [field, options] of Object.entries(parts)) {
        if (rnd() < 0.03) continue;
        // Mostly the valid first option, so accepted records come up often too.
        value[field] = rnd() < 0.75 ? options[0] : pick(options);
      }
      if (rnd() < 0.2) value['extra'] = pick([1, 'x', { y: 1 }]);
      counts[expectSameAsZod(value)] += 1;
    }
    expect(counts.accepted).toBeGreaterThan(300);
    expect(counts.rejected).toBeGreaterThan(300);
  });
});
