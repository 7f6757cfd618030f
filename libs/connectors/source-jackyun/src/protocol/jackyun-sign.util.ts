import { createHash } from 'node:crypto';

/** Params never covered by the signature. */
const UNSIGNED = new Set(['sign', 'contextid', 'token']);

/**
 * Jackyun open-platform signature: keys sorted ASCII ascending (excluding
 * `sign`, `contextid`, `token`), `secret + Σ(key + value) + secret`, the whole
 * string lower-cased, MD5, lowercase hex.
 */
export function jackyunSign(
  params: Readonly<Record<string, string>>,
  secret: string,
): string {
  const body = Object.keys(params)
    .filter((k) => !UNSIGNED.has(k))
    .sort()
    .map((k) => `${k}${params[k] ?? ''}`)
    .join('');
  return createHash('md5')
    .update(`${secret}${body}${secret}`.toLowerCase(), 'utf8')
    .digest('hex');
}
