/** A query window `[from, to]`, both at whole seconds. */
export interface TimeWindow {
  readonly from: Date;
  readonly to: Date;
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
  return `${w.from.toISOString()}..${w.to.toISOString()}`;
}
