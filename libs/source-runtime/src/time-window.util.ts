/** A query window `[from, to]`, both at whole seconds. */
export interface TimeWindow {
  readonly from: Date;
  readonly to: Date;
  /** A full scan: every record whatever its time (master data's first sync); `from`/`to` only say when it ran. */
  readonly full?: boolean;
}

export function floorToSecond(ms: number): Date {
  return new Date(Math.floor(ms / 1000) * 1000);
}

/**
 * Splits `[from, to]` into consecutive windows no longer than `maxMs`.
 * Consecutive windows share their boundary second (platform intervals are
 * closed and second-precise): a record on the boundary is read twice and
 * deduplicated, never skipped.
 */
export function splitWindows(
  from: Date,
  to: Date,
  maxMs: number,
): TimeWindow[] {
  const out: TimeWindow[] = [];
  const step = Math.max(1000, Math.floor(maxMs / 1000) * 1000);
  let start = floorToSecond(from.getTime()).getTime();
  const end = floorToSecond(to.getTime()).getTime();
  while (start < end) {
    const stop = Math.min(end, start + step);
    out.push({ from: new Date(start), to: new Date(stop) });
    start = stop;
  }
  return out;
}

export function describeWindow(w: TimeWindow): string {
  return w.full
    ? `full scan at ${w.to.toISOString()}`
    : `${w.from.toISOString()}..${w.to.toISOString()}`;
}

const BEIJING_OFFSET = '+08:00';
const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * A time a person typed, as epoch ms: ISO-8601 with `Z` or an offset as given; `yyyy-MM-dd[ HH:mm[:ss]]` (space or
 * `T`) without offset is Beijing time (UTC+8); `now`, `now-1h`, `now-2m`, `now-7d` are relative to `nowMs`.
 * Throws an Error naming what it accepts.
 */
export function parseUserTime(text: string, nowMs = Date.now()): number {
  const t = text.trim();
  const rel = /^now(?:\s*-\s*(\d+(?:\.\d+)?)\s*([smhd]))?$/i.exec(t);
  if (rel) {
    const n = rel[1] === undefined ? 0 : Number(rel[1]);
    return nowMs - n * (UNIT_MS[(rel[2] ?? 's').toLowerCase()] ?? 0);
  }
  const local =
    /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2})(:\d{2}(?:\.\d+)?)?)?$/.exec(t);
  const iso = local
    ? `${local[1]}T${local[2] ?? '00:00'}${local[3] ?? ':00'}${BEIJING_OFFSET}`
    : /(?:Z|[+-]\d{2}:?\d{2})$/i.test(t)
      ? t
      : undefined;
  const ms = iso === undefined ? NaN : Date.parse(iso);
  if (!Number.isFinite(ms))
    throw new Error(
      `not a time: '${text}' (ISO-8601 with offset, 'yyyy-MM-dd HH:mm[:ss]' in Beijing time, or now / now-1h / now-2m / now-7d)`,
    );
  return ms;
}

/** `yyyy-MM-dd HH:mm:ss` in Beijing time (how tools say a resolved range back). */
export function formatBeijingTime(ms: number): string {
  const iso = new Date(ms + 8 * 3_600_000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}
