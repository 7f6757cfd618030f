import { Decimal } from '../util/decimal';
import { formatDateTime } from '../util/date-time.util';
import { ExpressionEvaluationError } from './expression.error';

/** A point in time produced by a date function (epoch milliseconds). */
export class DateValue {
  constructor(readonly epochMs: number) {}
}

/** What evaluation works on: record values as read, plus Decimal and DateValue. */
export type Value = unknown;

export function isMissing(v: Value): boolean {
  return v === null || v === undefined;
}

export function toDecimal(v: Value, what: string): Decimal {
  if (isMissing(v))
    throw new ExpressionEvaluationError(`${what}: value is missing`);
  if (typeof v === 'boolean') return Decimal.of(v ? 1 : 0) as Decimal;
  const d = Decimal.of(v);
  if (!d)
    throw new ExpressionEvaluationError(
      `${what}: '${String(v)}' is not a number`,
    );
  return d;
}

export function truthy(v: Value): boolean {
  if (isMissing(v)) return false;
  if (v instanceof Decimal) return !v.isZero();
  if (typeof v === 'string') return v !== '' && v !== 'false' && v !== '0';
  if (typeof v === 'number') return v !== 0;
  return Boolean(v);
}

export function toText(v: Value, offsetMinutes: number): string {
  if (isMissing(v)) return '';
  if (v instanceof Decimal) return v.toString();
  if (v instanceof DateValue)
    return formatDateTime(v.epochMs, 'yyyy-MM-dd HH:mm:ss', offsetMinutes);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Converts an evaluation result to plain JSON data for a document. */
export function toOutput(v: Value, offsetMinutes: number): unknown {
  if (v instanceof Decimal) return v.toNumber();
  if (v instanceof DateValue)
    return formatDateTime(v.epochMs, 'yyyy-MM-dd HH:mm:ss', offsetMinutes);
  return v;
}
