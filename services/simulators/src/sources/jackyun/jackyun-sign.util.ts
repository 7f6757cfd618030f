import { createHash } from 'node:crypto';

/** Params never covered by the Jackyun signature. */
const UNSIGNED = new Set(['sign', 'contextid', 'token']);

/**
 * Jackyun gateway signature (reference §1.3): params minus sign/contextid/token, keys sorted
 * ASCII ascending, `secret + k1 + v1 + … + secret`, whole string lower-cased, MD5, lowercase hex.
 */
export function jackyunSign(
  params: Readonly<Record<string, string>>,
  secret: string,
): string {
  const body = Object.keys(params)
    .filter((k) => !UNSIGNED.has(k))
    .sort()
    .map((k) => k + params[k])
    .join('');
  return createHash('md5')
    .update((secret + body + secret).toLowerCase(), 'utf8')
    .digest('hex');
}
