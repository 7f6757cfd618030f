import { Decimal } from '../util/decimal';
import { formatDateTime, parseDateTime } from '../util/date-time.util';
import { ExpressionEvaluationError } from './expression.error';
import {
  DateValue,
  isMissing,
  toDecimal,
  toText,
  type Value,
} from './expression-value';

/** Per-evaluation facts a function may need (never the host environment). */
export interface FunctionContext {
  readonly offsetMinutes: number;
  readonly nowMs: number;
}

export interface ExpressionFunction {
  readonly minArgs: number;
  readonly maxArgs: number;
  readonly call: (args: readonly Value[], ctx: FunctionContext) => Value;
}

function toEpoch(v: Value, ctx: FunctionContext, name: string): number {
  if (v instanceof DateValue) return v.epochMs;
  if (v instanceof Decimal) return v.toNumber();
  const ms = parseDateTime(v, ctx.offsetMinutes);
  if (ms === undefined)
    throw new ExpressionEvaluationError(
      `${name}: '${String(v)}' is not a date`,
    );
  return ms;
}

function digits(v: Value | undefined, name: string): number {
  if (v === undefined) return 0;
  const n = toDecimal(v, name).toNumber();
  if (!Number.isInteger(n) || n < -10 || n > 20)
    throw new ExpressionEvaluationError(`${name}: bad digits ${n}`);
  return n;
}

function text(v: Value, ctx: FunctionContext): string {
  return toText(v, ctx.offsetMinutes);
}

const numeric1 = (
  name: string,
  op: (d: Decimal) => Decimal,
): ExpressionFunction => ({
  minArgs: 1,
  maxArgs: 1,
  call: ([a]) => op(toDecimal(a, name)),
});

const extreme = (name: string, pick: number): ExpressionFunction => ({
  minArgs: 1,
  maxArgs: 64,
  call: (args) =>
    args
      .map((a) => toDecimal(a, name))
      .reduce((best, d) => (d.cmp(best) === pick ? d : best)),
});

/**
 * The whitelist. Names are matched case-insensitively; anything not in this
 * map is refused at plan validation. Kept in a Map so no prototype name
 * (`constructor`, `toString`, ...) can ever resolve to a function.
 */
export const EXPRESSION_FUNCTIONS: ReadonlyMap<string, ExpressionFunction> =
  new Map<string, ExpressionFunction>([
    ['abs', numeric1('abs', (d) => d.abs())],
    ['floor', numeric1('floor', (d) => d.floor())],
    ['ceil', numeric1('ceil', (d) => d.ceil())],
    [
      'round',
      {
        minArgs: 1,
        maxArgs: 2,
        call: ([a, n]) => toDecimal(a, 'round').round(digits(n, 'round')),
      },
    ],
    ['min', extreme('min', -1)],
    ['max', extreme('max', 1)],
    [
      'number',
      { minArgs: 1, maxArgs: 1, call: ([a]) => toDecimal(a, 'number') },
    ],
    [
      'fixed',
      {
        minArgs: 2,
        maxArgs: 2,
        call: ([a, n]) => {
          const places = digits(n, 'fixed');
          const s = toDecimal(a, 'fixed').round(places).toString();
          if (places <= 0) return s;
          const [i, f = ''] = s.split('.');
          return `${i}.${f.padEnd(places, '0')}`;
        },
      },
    ],
    ['string', { minArgs: 1, maxArgs: 1, call: ([a], ctx) => text(a, ctx) }],
    [
      'concat',
      {
        minArgs: 1,
        maxArgs: 64,
        call: (args, ctx) => args.map((a) => text(a, ctx)).join(''),
      },
    ],
    [
      'upper',
      {
        minArgs: 1,
        maxArgs: 1,
        call: ([a], ctx) => text(a, ctx).toUpperCase(),
      },
    ],
    [
      'lower',
      {
        minArgs: 1,
        maxArgs: 1,
        call: ([a], ctx) => text(a, ctx).toLowerCase(),
      },
    ],
    [
      'trim',
      { minArgs: 1, maxArgs: 1, call: ([a], ctx) => text(a, ctx).trim() },
    ],
    [
      'length',
      {
        minArgs: 1,
        maxArgs: 1,
        call: ([a], ctx) => Decimal.of([...text(a, ctx)].length),
      },
    ],
    [
      'substr',
      {
        minArgs: 2,
        maxArgs: 3,
        call: ([s, start, len], ctx) => {
          const chars = [...text(s, ctx)];
          const from = digits(start, 'substr');
          const count =
            len === undefined ? chars.length : digits(len, 'substr');
          return chars.slice(from, from + count).join('');
        },
      },
    ],
    [
      'left',
      {
        minArgs: 2,
        maxArgs: 2,
        call: ([s, n], ctx) =>
          [...text(s, ctx)].slice(0, digits(n, 'left')).join(''),
      },
    ],
    [
      'right',
      {
        minArgs: 2,
        maxArgs: 2,
        call: ([s, n], ctx) => {
          const count = digits(n, 'right');
          return count <= 0 ? '' : [...text(s, ctx)].slice(-count).join('');
        },
      },
    ],
    [
      'replace',
      {
        minArgs: 3,
        maxArgs: 3,
        call: ([s, a, b], ctx) =>
          text(s, ctx).split(text(a, ctx)).join(text(b, ctx)),
      },
    ],
    [
      'contains',
      {
        minArgs: 2,
        maxArgs: 2,
        call: ([s, a], ctx) => text(s, ctx).includes(text(a, ctx)),
      },
    ],
    [
      'startswith',
      {
        minArgs: 2,
        maxArgs: 2,
        call: ([s, a], ctx) => text(s, ctx).startsWith(text(a, ctx)),
      },
    ],
    [
      'endswith',
      {
        minArgs: 2,
        maxArgs: 2,
        call: ([s, a], ctx) => text(s, ctx).endsWith(text(a, ctx)),
      },
    ],
    [
      'coalesce',
      {
        minArgs: 1,
        maxArgs: 64,
        call: (args) => args.find((a) => !isMissing(a) && a !== '') ?? null,
      },
    ],
    [
      'validdate',
      {
        minArgs: 1,
        maxArgs: 1,
        // The value itself when it is a real date, else null (a zero date like
        // `0000-00-00 00:00:00` is "no date"): coalesce(validdate(a), b) names the fallback.
        call: ([a], ctx) =>
          a instanceof DateValue ||
          parseDateTime(
            a instanceof Decimal ? a.toNumber() : a,
            ctx.offsetMinutes,
          ) !== undefined
            ? a
            : null,
      },
    ],
    [
      'ifnull',
      { minArgs: 2, maxArgs: 2, call: ([a, b]) => (isMissing(a) ? b : a) },
    ],
    [
      'isempty',
      { minArgs: 1, maxArgs: 1, call: ([a]) => isMissing(a) || a === '' },
    ],
    [
      'now',
      {
        minArgs: 0,
        maxArgs: 0,
        call: (_args, ctx) => new DateValue(ctx.nowMs),
      },
    ],
    [
      'todate',
      {
        minArgs: 1,
        maxArgs: 1,
        call: ([a], ctx) => new DateValue(toEpoch(a, ctx, 'todate')),
      },
    ],
    [
      'formatdate',
      {
        minArgs: 2,
        maxArgs: 2,
        call: ([a, p], ctx) =>
          formatDateTime(
            toEpoch(a, ctx, 'formatDate'),
            text(p, ctx),
            ctx.offsetMinutes,
          ),
      },
    ],
    [
      'adddays',
      {
        minArgs: 2,
        maxArgs: 2,
        call: ([a, n], ctx) =>
          new DateValue(
            toEpoch(a, ctx, 'addDays') +
              toDecimal(n, 'addDays').toNumber() * 86_400_000,
          ),
      },
    ],
    [
      'datediff',
      {
        minArgs: 2,
        maxArgs: 2,
        call: ([a, b], ctx) => {
          const day = (ms: number) =>
            Math.floor((ms + ctx.offsetMinutes * 60_000) / 86_400_000);
          return Decimal.of(
            day(toEpoch(a, ctx, 'dateDiff')) - day(toEpoch(b, ctx, 'dateDiff')),
          );
        },
      },
    ],
    [
      'unix_timestamp',
      {
        minArgs: 0,
        maxArgs: 1,
        call: ([a], ctx) =>
          Decimal.of(
            Math.floor(
              (a === undefined
                ? ctx.nowMs
                : toEpoch(a, ctx, 'unix_timestamp')) / 1000,
            ),
          ),
      },
    ],
    [
      'from_unixtime',
      {
        minArgs: 1,
        maxArgs: 2,
        call: ([s, p], ctx) =>
          formatDateTime(
            toDecimal(s, 'from_unixtime').toNumber() * 1000,
            p === undefined ? '%Y-%m-%d %H:%i:%s' : text(p, ctx),
            ctx.offsetMinutes,
          ),
      },
    ],
  ]);

/** Aliases seen in integration-platform plans. */
for (const [alias, target] of [
  ['len', 'length'],
  ['substring', 'substr'],
  ['date_format', 'formatdate'],
  ['nvl', 'ifnull'],
] as const) {
  (EXPRESSION_FUNCTIONS as Map<string, ExpressionFunction>).set(
    alias,
    EXPRESSION_FUNCTIONS.get(target) as ExpressionFunction,
  );
}
