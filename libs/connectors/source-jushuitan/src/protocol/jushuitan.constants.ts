import { type FailureRules, platformLimits } from '@kingbridge/source-kit';

/** Jushuitan (聚水潭) open API v2: where calls go, the documented limits and failures. */
export const JUSHUITAN_INVENTORY_COUNT_PATH = '/open/inventory/count/query';
/** Where an app gets its first access_token (reference §3.2). */
export const JUSHUITAN_TOKEN_PATH = '/openWeb/auth/getInitToken';
/** `modified_begin`/`modified_end` span ≤ 7 days; pages of up to 50. */
export const JUSHUITAN_LIMITS = platformLimits({ windowDays: 7, pageSize: 50 });
/** Documented limits: 5 requests/s (code 199) and 100/min (code 200). */
export const JUSHUITAN_RATE_LIMITS = [
  { limit: 5, intervalMs: 1000 },
  { limit: 100, intervalMs: 60_000 },
] as const;

/** A failed answer (`code != 0`; 200 is the per-minute limit here): its code and message. */
export const JUSHUITAN_FAILURES: FailureRules = {
  /** The per-second (199) and per-minute (200) limits. */
  throttle: { codes: [199, 200] },
  /** A refused signature, app key, token, IP or API grant (reference §3.5). */
  auth: { codes: [10, 20, 100, 110, 150, 190] },
  transient: { fromCode: 500, text: /系统繁忙|超时|busy|timeout/i },
};
