import { createHash } from 'node:crypto';

/** `k1 + v1 + k2 + v2 + …` over every param but `sign`, keys sorted ascending (TOP, Jushuitan). */
export function sortedKeyValues(
  params: Readonly<Record<string, string>>,
): string {
  return Object.keys(params)
    .filter((k) => k !== 'sign')
    .sort()
    .map((k) => `${k}${params[k] ?? ''}`)
    .join('');
}

/**
 * TOP / Qimen (奇门) signature (reference §1.8, §2.7): every param but
 * `sign`, keys sorted ascending, `secret + Σ(key + value) + secret`, MD5
 * over UTF-8, UPPERCASE hex.
 */
export function topSign(
  params: Readonly<Record<string, string>>,
  secret: string,
): string {
  return createHash('md5')
    .update(`${secret}${sortedKeyValues(params)}${secret}`, 'utf8')
    .digest('hex')
    .toUpperCase();
}
