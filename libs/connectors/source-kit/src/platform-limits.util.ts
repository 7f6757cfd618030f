const DAY_MS = 86_400_000;

/** A platform's documented limits: declared once in its protocol/, built into its client. */
export interface SourcePlatformLimits {
  /** Longest window one query may span (every entity of the platform), in ms. */
  readonly maxWindowMs: number;
  /** Largest page the platform answers (a plan's larger `pageSize` is clamped to it). */
  readonly maxPageSize: number;
}

/** The limits as the platforms document them: the window in days, the page in rows. */
export function platformLimits(documented: {
  readonly windowDays: number;
  readonly pageSize: number;
}): SourcePlatformLimits {
  return Object.freeze({
    maxWindowMs: documented.windowDays * DAY_MS,
    maxPageSize: documented.pageSize,
  });
}
