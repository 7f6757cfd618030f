/**
 * Beijing time (Asia/Shanghai: UTC+8 all year, no DST) as the platforms and our users write it:
 * `yyyy-MM-dd HH:mm:ss`. The one home of these conversions for connectors, simulators and tools.
 */
const BEIJING_OFFSET_MS = 8 * 3600_000;
const PATTERN = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?$/;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Epoch ms -> `yyyy-MM-dd HH:mm:ss` in Beijing time. */
export function formatBeijing(ms: number): string {
  const d = new Date(ms + BEIJING_OFFSET_MS);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

/** Epoch ms -> `yyyy-MM-dd` in Beijing time. */
export function formatBeijingDate(ms: number): string {
  return formatBeijing(ms).slice(0, 10);
}

/** A Date -> `yyyy-MM-dd HH:mm:ss` in Beijing time, as the source platforms expect it in queries. */
export function formatChinaTime(date: Date): string {
  return formatBeijing(date.getTime());
}

/**
 * Strict parse of `yyyy-MM-dd HH:mm:ss` (or `yyyy-MM-dd` when `allowDateOnly`) as Beijing time.
 * Returns null for anything else, including impossible dates like 2024-02-30.
 */
export function parseBeijing(
  text: string,
  allowDateOnly = false,
): number | null {
  const m = PATTERN.exec(text);
  if (!m) return null;
  if (m[4] === undefined && !allowDateOnly) return null;
  const [y, mo, d, h, mi, s] = [
    m[1],
    m[2],
    m[3],
    m[4] ?? '0',
    m[5] ?? '0',
    m[6] ?? '0',
  ].map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  if (
    back.getUTCMonth() !== mo - 1 ||
    back.getUTCDate() !== d ||
    h > 23 ||
    mi > 59 ||
    s > 59
  )
    return null;
  return ms - BEIJING_OFFSET_MS;
}

/** `yyyy-MM-dd HH:mm:ss[.fff]` (Beijing time, `T` accepted) -> ISO-8601 with `+08:00`; undefined when not that shape. */
export function chinaTimeToIso(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?$/.exec(
    value.trim(),
  );
  if (!m) return undefined;
  return `${m[1]}T${m[2]}${m[3] ?? ''}+08:00`;
}
