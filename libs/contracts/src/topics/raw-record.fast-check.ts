import { SOURCE_ENTITY_ID, SOURCE_PLATFORM_ID } from '../platform.schema';
import type { RawRecord } from './raw-record.schema';

/*
 * The raw record envelope checked by hand, for the transform's hot path (zod's generic object and record walk
 * allocates per payload key). It only ever accepts: a value it is not sure of gets `undefined` and the zod
 * schema decides, so every rejection and its reason stay zod's. What it accepts, zod accepts with the same
 * output (raw-record.fast-check.spec.ts compares the two over random and edge-case values).
 */

const hasOwn = (o: object, key: string): boolean =>
  Object.prototype.hasOwnProperty.call(o, key);

function nonEmpty(v: unknown): v is string {
  return typeof v === 'string' && v.length >= 1;
}

/** Char code of a digit 0-9 as its value, or -1. */
function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

/** Two digits at i as a number, or -1. */
function two(s: string, i: number): number {
  const a = digit(s, i);
  const b = digit(s, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

function daysIn(year: number, month: number): number {
  if (month === 2)
    return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * `z.string().datetime({ offset: true })`: `yyyy-MM-ddTHH:mm:ss[.f+](Z|±HH:mm)`, a real calendar day (leap
 * years by the Gregorian rule), hours 00-23, minutes and seconds 00-59.
 */
export function isIsoDateTimeWithOffset(s: string): boolean {
  const n = s.length;
  if (n < 20) return false;
  const y0 = two(s, 0);
  const y1 = two(s, 2);
  if (y0 < 0 || y1 < 0) return false;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return false; // '-'
  const month = two(s, 5);
  const day = two(s, 8);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(y0 * 100 + y1, month))
    return false;
  if (s.charCodeAt(10) !== 84) return false; // 'T'
  const hour = two(s, 11);
  const minute = two(s, 14);
  const second = two(s, 17);
  if (s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return false; // ':'
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return false;
  if (second < 0 || second > 59) return false;
  let i = 19;
  if (s.charCodeAt(i) === 46) {
    // '.' and at least one digit
    i += 1;
    const from = i;
    while (i < n && digit(s, i) >= 0) i += 1;
    if (i === from) return false;
  }
  const zone = s.charCodeAt(i);
  if (zone === 90) return i + 1 === n; // 'Z'
  if (zone !== 43 && zone !== 45) return false; // '+' | '-'
  if (i + 6 !== n || s.charCodeAt(i + 3) !== 58) return false;
  const oh = two(s, i + 1);
  const om = two(s, i + 4);
  return oh >= 0 && oh <= 23 && om >= 0 && om <= 59;
}

/** sha256 hex: exactly 64 of 0-9a-f. */
function isHash(s: unknown): s is string {
  if (typeof s !== 'string' || s.length !== 64) return false;
  for (let i = 0; i < 64; i += 1) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** An object zod's record and object schemas take as a plain object, with nothing they would treat apart. */
function plainData(v: unknown): v is Record<string, unknown> {
  return (
    typeof v === 'object' &&
    v !== null &&
    Object.getPrototypeOf(v) === Object.prototype &&
    (v as { constructor?: unknown }).constructor === Object &&
    !hasOwn(v, 'constructor') &&
    // zod's record skips an own `__proto__` and refuses symbol keys: left to zod.
    !hasOwn(v, '__proto__') &&
    Object.getOwnPropertySymbols(v).length === 0
  );
}

/** The last date-time strings accepted: a run's records share `fetchedAt`, so most checks are one compare. */
let lastFetchedAt: string | undefined;
let lastModifiedAt: string | undefined;

/**
 * The value `rawRecordSchema` parses `value` to, or undefined when this check is not sure it is valid (then
 * the schema decides, with its own issues).
 */
export function checkRawRecordFast(value: unknown): RawRecord | undefined {
  if (!plainData(value)) return undefined;
  const {
    schemaVersion,
    platform,
    entity,
    stream,
    sourceId,
    modifiedAt,
    contentHash,
    payload,
    runId,
    fetchedAt,
  } = value;
  if (schemaVersion !== 1) return undefined;
  if (
    typeof platform !== 'string' ||
    typeof entity !== 'string' ||
    !SOURCE_PLATFORM_ID.test(platform) ||
    !SOURCE_ENTITY_ID.test(entity)
  )
    return undefined;
  if (!nonEmpty(stream) || !nonEmpty(sourceId) || !nonEmpty(runId))
    return undefined;
  if (typeof modifiedAt !== 'string' || typeof fetchedAt !== 'string')
    return undefined;
  if (modifiedAt !== lastModifiedAt) {
    if (!isIsoDateTimeWithOffset(modifiedAt)) return undefined;
    lastModifiedAt = modifiedAt;
  }
  if (fetchedAt !== lastFetchedAt) {
    if (!isIsoDateTimeWithOffset(fetchedAt)) return undefined;
    lastFetchedAt = fetchedAt;
  }
  if (!isHash(contentHash) || !plainData(payload)) return undefined;
  // Non-enumerable own keys are not copied by zod (nor by a spread); JSON never makes them.
  return {
    schemaVersion,
    platform: platform as RawRecord['platform'],
    entity: entity as RawRecord['entity'],
    stream,
    sourceId,
    modifiedAt,
    contentHash,
    // zod's record copies the own enumerable string keys in order, values as they are: so does a spread.
    payload: { ...payload },
    runId,
    fetchedAt,
  };
}
