import { createHash } from 'node:crypto';

/**
 * TOP / Qimen (奇门) signature (reference §1.8, §2.7): every param but
 * `sign`, keys sorted ascending, `secret + Σ(key + value) + secret`, MD5
 * over UTF-8, UPPERCASE hex.
 */
export function topSign(
  params: Readonly<Record<string, string>>,
  secret: string,
): string {
  const body = Object.keys(params)
    .filter((k) => k !== 'sign')
    .sort()
    .map((k) => `${k}${params[k] ?? ''}`)
    .join('');
  return createHash('md5')
    .update(`${secret}${body}${secret}`, 'utf8')
    .digest('hex')
    .toUpperCase();
}
