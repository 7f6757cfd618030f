import { createHash } from 'node:crypto';

/**
 * WDT 企业版 (openapi2) signature: keys sorted ascending (all params but
 * `sign`), each pair as `LL-key:VVVV-value` (LL/VVVV = character counts
 * zero-padded to 2/4), pairs joined with `;`, the app secret appended,
 * MD5 over UTF-8, lowercase hex.
 */
export function wdtSignString(
  params: Readonly<Record<string, string>>,
  secret: string,
): string {
  const pairs = Object.keys(params)
    .filter((k) => k !== 'sign')
    .sort()
    .map((k) => {
      const v = params[k] ?? '';
      return `${pad(charCount(k), 2)}-${k}:${pad(charCount(v), 4)}-${v}`;
    });
  return `${pairs.join(';')}${secret}`;
}

export function wdtSign(
  params: Readonly<Record<string, string>>,
  secret: string,
): string {
  return createHash('md5')
    .update(wdtSignString(params, secret), 'utf8')
    .digest('hex');
}

/** Character count like PHP `iconv_strlen` / Java `String.length()` for BMP text. */
function charCount(s: string): number {
  return [...s].length;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
