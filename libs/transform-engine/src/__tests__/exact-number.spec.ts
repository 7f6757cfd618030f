import { createPrng } from '@kingbridge/pipeline-core';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../util/decimal';
import {
  compareExact,
  decimalToNumberFast,
  exactDouble,
} from '../util/exact-number';

/** Numbers, decimal texts (short, long, signed, padded, with exponents), Decimals and non-numbers. */
function randomValues(seed: number, count: number): unknown[] {
  const rnd = createPrng(seed).next;
  const digits = (n: number): string =>
    Array.from({ length: n }, () => String(Math.floor(rnd() * 10))).join('');
  const pick = <T>(xs: readonly T[]): T =>
    xs[Math.floor(rnd() * xs.length)] as T;
  const out: unknown[] = [];
  for (let i = 0; i < count; i += 1) {
    const int = digits(1 + Math.floor(rnd() * 18));
    const frac = digits(Math.floor(rnd() * 18));
    const sign = pick(['', '', '-', '+']);
    const text = pick([
      `${sign}${int}`,
      `${sign}${int}.${frac}`,
      `${sign}0.${frac}`,
      `${sign}.${frac || '5'}`,
      `${sign}${int}.`,
      `${sign}${int}.${frac}0000`,
      `${sign}${int}e${pick(['', '-', '+'])}${Math.floor(rnd() * 400)}`,
      ` ${int}.${frac} `,
      `${int}.${frac}x`,
      '-0',
      '0.0000',
      '-0.0000',
      '',
      'abc',
      '1e',
      '.',
    ]);
    const n = Number(text);
    out.push(
      pick([
        text,
        text,
        n,
        (rnd() - 0.5) * 10 ** Math.floor(rnd() * 40 - 20),
        Math.round((rnd() - 0.5) * 1e6) / 100,
        Decimal.of(text) ?? text,
        pick([0, -0, NaN, Infinity, -Infinity, 1e21, 2 ** 60, 5e-324]),
        pick([true, false, null, undefined, {}, [], 10n]),
      ]),
    );
  }
  return out;
}

describe('exact-number fast paths', () => {
  it('should give what Decimal.of(v).toNumber() gives, or leave it to Decimal', () => {
    let fast = 0;
    for (const v of randomValues(7, 20_000)) {
      const got = decimalToNumberFast(v);
      if (got === undefined) continue;
      fast += 1;
      const d = Decimal.of(v);
      expect(d, String(v)).toBeDefined();
      expect(Object.is(got, d?.toNumber()), String(v)).toBe(true);
    }
    expect(fast).toBeGreaterThan(5_000);
  });

  it('should order and equal values exactly as Decimal does, or leave it to Decimal', () => {
    const values = randomValues(11, 4_000);
    const rnd = createPrng(3).next;
    let fast = 0;
    for (let i = 0; i < 40_000; i += 1) {
      const a = values[Math.floor(rnd() * values.length)];
      // Neighbours too: equal values written differently, and values one unit apart.
      const r = rnd();
      const b =
        typeof a === 'string' && r < 0.2
          ? `${a}0`
          : typeof a === 'string' && r < 0.5 && /\d$/.test(a)
            ? `${a.slice(0, -1)}${a.endsWith('9') ? '8' : String(Number(a.slice(-1)) + 1)}`
            : values[Math.floor(rnd() * values.length)];
      const got = compareExact(a, b);
      if (got === undefined) continue;
      fast += 1;
      const da = Decimal.of(a);
      const db = Decimal.of(b);
      expect(da && db, `${String(a)} vs ${String(b)}`).toBeTruthy();
      expect(got, `${String(a)} vs ${String(b)}`).toBe(da?.cmp(db as Decimal));
    }
    expect(fast).toBeGreaterThan(5_000);
  });

  it('should tell apart decimals one unit apart at 15 digits and leave longer ones to Decimal', () => {
    expect(compareExact('99999999999999.9', '99999999999999.8')).toBe(1);
    expect(compareExact('0.1', 0.1)).toBe(0);
    expect(compareExact('12.3400', Decimal.of('12.34'))).toBe(0);
    expect(compareExact('-0', 0)).toBe(0);
    expect(compareExact('0.1000000000000001', '0.1')).toBeUndefined();
    expect(exactDouble('9007199254740993')).toBeUndefined();
    expect(exactDouble(Decimal.of('9007199254740993'))).toBeUndefined();
    expect(exactDouble(true)).toBeUndefined();
    expect(decimalToNumberFast('-0.000')).toBeUndefined();
    expect(decimalToNumberFast(' 2.0000 ')).toBe(2);
  });
});
