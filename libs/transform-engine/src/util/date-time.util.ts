/**
 * Date parsing and formatting with fixed UTC offsets. Asia/Shanghai has had no
 * daylight saving time since 1991, so a fixed +08:00 is exact for it and keeps
 * the hot path free of Intl.
 */
const ZONE_OFFSETS: Readonly<Record<string, number>> = {
  'Asia/Shanghai': 480,
  'Asia/Chongqing': 480,
  'Asia/Hong_Kong': 480,
  PRC: 480,
  UTC: 0,
  'Etc/UTC': 0,
};

/** Offset in minutes east of UTC, or undefined for an unsupported zone. */
export function zoneOffsetMinutes(zone: string): number | undefined {
  const named = ZONE_OFFSETS[zone];
  if (named !== undefined) return named;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (!m) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -minutes : minutes;
}

const LOCAL_RE =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses `yyyy-MM-dd`, `yyyy-MM-dd HH:mm[:ss[.SSS]]` (wall time in the zone
 * given by `offsetMinutes`), ISO-8601 with an explicit offset, or epoch
 * milliseconds. Returns epoch ms, or undefined when the value is not a date.
 */
export function parseDateTime(
  value: unknown,
  offsetMinutes: number,
): number | undefined {
  if (typeof value === 'number')
    return Number.isFinite(value) ? value : undefined;
  if (value instanceof Date) return value.getTime();
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d{12,14}$/.test(text)) return Number(text);
  const m = LOCAL_RE.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', ms = '0', zone] = m;
  const wall = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s),
    Number(ms.padEnd(3, '0')),
  );
  // A zero date (MySQL's `0000-00-00 00:00:00`, WDT's "not shipped") or a 31st of
  // February is no date: Date.UTC would roll it into another day.
  const check = new Date(wall);
  if (
    Number.isNaN(wall) ||
    Number(y) < 1 ||
    check.getUTCMonth() !== Number(mo) - 1 ||
    check.getUTCDate() !== Number(d)
  )
    return undefined;
  let offset = offsetMinutes;
  if (zone !== undefined)
    offset = zone === 'Z' ? 0 : (zoneOffsetMinutes(zone) ?? offsetMinutes);
  return wall - offset * 60_000;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Each pattern field with its tokens (ours and MySQL's) and its digits, read off a shifted UTC date. */
const FIELDS: ReadonlyArray<
  readonly [tokens: readonly string[], read: (d: Date) => number, width: number]
> = [
  [['yyyy', '%Y'], (d) => d.getUTCFullYear(), 4],
  [['MM', '%m'], (d) => d.getUTCMonth() + 1, 2],
  [['dd', '%d'], (d) => d.getUTCDate(), 2],
  [['HH', '%H'], (d) => d.getUTCHours(), 2],
  [['mm', '%i'], (d) => d.getUTCMinutes(), 2],
  [['ss', '%s'], (d) => d.getUTCSeconds(), 2],
  [['SSS'], (d) => d.getUTCMilliseconds(), 3],
];
const FIELD_OF = new Map(
  FIELDS.flatMap(([tokens, read, width]) =>
    tokens.map((t) => [t, { read, width }] as const),
  ),
);
const TOKEN_RE = /yyyy|MM|dd|HH|mm|ss|SSS|%Y|%m|%d|%H|%i|%s/g;

/** Formats epoch ms as wall time in the zone: yyyy MM dd HH mm ss SSS (and MySQL %Y %m %d %H %i %s). */
export function formatDateTime(
  epochMs: number,
  pattern: string,
  offsetMinutes: number,
): string {
  const d = new Date(epochMs + offsetMinutes * 60_000);
  return pattern.replace(TOKEN_RE, (token) => {
    const field = FIELD_OF.get(token);
    return field ? pad(field.read(d), field.width) : token;
  });
}

/** Parses `30s`, `15m`, `2h`, `1d`, `500ms` (or a number of ms) into milliseconds. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return value >= 0 ? value : undefined;
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(value.trim());
  if (!m) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[
    m[2] as 'ms' | 's' | 'm' | 'h' | 'd'
  ];
  return Math.round(Number(m[1]) * unit);
}
