/** Jushuitan (聚水潭) open API v2: where calls go, the documented limits and codes. */
export const JUSHUITAN_DEFAULT_BASE_URL = 'https://openapi.jushuitan.com';
export const JUSHUITAN_INVENTORY_COUNT_PATH = '/open/inventory/count/query';
/** Where an app gets its first access_token (reference §3.2). */
export const JUSHUITAN_TOKEN_PATH = '/openWeb/auth/getInitToken';
/** `modified_begin`/`modified_end` span ≤ 7 days. */
export const JUSHUITAN_MAX_WINDOW_MS = 7 * 24 * 3600_000;
export const JUSHUITAN_MAX_PAGE_SIZE = 50;
/** Documented limits: 5 requests/s (code 199) and 100/min (code 200). */
export const JUSHUITAN_RATE_LIMITS = [
  { limit: 5, intervalMs: 1000 },
  { limit: 100, intervalMs: 60_000 },
] as const;
/** Codes of a refused signature, app key, token, IP or API grant (reference §3.5). */
export const JUSHUITAN_AUTH_CODES: ReadonlySet<number> = new Set([
  10, 20, 100, 110, 150, 190,
]);
/** Codes of the per-second (199) and per-minute (200) limits. */
export const JUSHUITAN_THROTTLE_CODES: ReadonlySet<number> = new Set([
  199, 200,
]);
