import { z } from 'zod';

/** A default call limit, with what it means on this platform. */
export interface LimitDefault {
  default: number;
  describe?: string;
}

function limit({ default: value, describe }: LimitDefault) {
  const schema = z.number().int().min(0).default(value);
  return describe === undefined ? schema : schema.describe(describe);
}

/** `rateLimit: {perSecond, perMinute}` of a platform's options (0 = unlimited). */
export function rateLimitOption(
  perSecond: LimitDefault,
  perMinute: LimitDefault,
) {
  return z
    .object({ perSecond: limit(perSecond), perMinute: limit(perMinute) })
    .prefault({});
}

/** Page-size bounds and the longest time window a platform's query accepts. */
export function pagingOptions(defaults: {
  maxPageSize: number;
  defaultPageSize: number;
  maxWindowDays: number;
}) {
  return {
    maxPageSize: z.number().int().min(1).default(defaults.maxPageSize),
    defaultPageSize: z.number().int().min(1).default(defaults.defaultPageSize),
    maxWindowDays: z.number().positive().default(defaults.maxWindowDays),
  };
}

/**
 * The credentials a platform's signed calls carry (string options with demo defaults, in wire order) and how far
 * their timestamp may be from the simulator clock.
 */
export function signedCallOptions<const C extends Record<string, string>>(
  credentials: C,
  skew: { timestampSkewSeconds: number; describe?: string },
) {
  const strings = Object.fromEntries(
    Object.entries(credentials).map(([name, value]) => [
      name,
      z.string().default(value),
    ]),
  ) as { [K in keyof C]: z.ZodDefault<z.ZodString> };
  const seconds = z.number().int().min(0).default(skew.timestampSkewSeconds);
  return {
    ...strings,
    timestampSkewSeconds:
      skew.describe === undefined ? seconds : seconds.describe(skew.describe),
  };
}
