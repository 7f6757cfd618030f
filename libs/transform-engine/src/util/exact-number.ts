import { DECIMAL_TEXT, Decimal } from './decimal';

/*
 * Fast paths around Decimal for the per-record mapping: a value whose double is known to behave exactly like
 * its decimal skips decimal.js. Each function answers undefined when it is not sure; the caller then takes the
 * Decimal path, so results never differ (exact-number.spec.ts compares both over random values).
 */

/** Plain decimal text without exponent. */
const PLAIN_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)$/;

/**
 * `Decimal.of(v)?.toNumber()` for a number or decimal text, or undefined (then ask Decimal): the nearest double
 * of the decimal's value, which is what Number() gives the text itself. Zero is left to Decimal (it has no -0).
 */
export function decimalToNumberFast(v: unknown): number | undefined {
  if (typeof v === 'number')
    return v !== 0 && Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  if (!DECIMAL_TEXT.test(t)) return undefined;
  const n = Number(t);
  return n !== 0 && Number.isFinite(n) ? n : undefined;
}

/**
 * A double that orders and equals exactly like `Decimal.of(v)`, or undefined. True for finite numbers (Decimal
 * reads their shortest text) and for decimal text or Decimals of at most 15 digits (each such value has its
 * own double, and rounding to the nearest double keeps order).
 */
export function exactDouble(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string') {
    const t = v.length <= 17 ? v.trim() : '';
    if (t === '' || !PLAIN_TEXT.test(t)) return undefined;
    let digits = t.length;
    const c = t.charCodeAt(0);
    if (c === 43 || c === 45) digits -= 1;
    if (t.includes('.')) digits -= 1;
    return digits <= 15 ? Number(t) : undefined;
  }
  if (v instanceof Decimal) return v.exactDouble();
  return undefined;
}

/** `Decimal.of(a).cmp(Decimal.of(b))` when both have an exact double; undefined otherwise. */
export function compareExact(a: unknown, b: unknown): -1 | 0 | 1 | undefined {
  const x = exactDouble(a);
  if (x === undefined) return undefined;
  const y = exactDouble(b);
  if (y === undefined) return undefined;
  return x < y ? -1 : x > y ? 1 : 0;
}
