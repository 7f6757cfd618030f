import { createHash } from 'node:crypto';
import { sortedKeyValueConcat } from '../source-kit';

const pad = (n: number, width: number): string =>
  String(n).padStart(width, '0');
/** Character count as PHP iconv_strlen (code points), the SDKs' notion of length. */
const chars = (s: string): number => [...s].length;

/** The string WDT 企业版 signs (reference §2.3), before MD5. */
export function wdtSignInput(
  params: Readonly<Record<string, string>>,
  secret: string,
): string {
  return (
    Object.keys(params)
      .filter((k) => k !== 'sign')
      .sort()
      .map(
        (k) =>
          `${pad(chars(k), 2)}-${k}:${pad(chars(params[k] ?? ''), 4)}-${params[k] ?? ''}`,
      )
      .join(';') + secret
  );
}

/** WDT 企业版 signature: length-prefixed pairs joined by `;`, secret appended, MD5, lowercase hex. */
export function wdtSign(
  params: Readonly<Record<string, string>>,
  secret: string,
): string {
  return createHash('md5')
    .update(wdtSignInput(params, secret), 'utf8')
    .digest('hex');
}

/**
 * TOP / Qimen signature (reference §2.7): params minus `sign`, keys sorted, `secret + Σ(k + v) + secret`,
 * MD5, UPPERCASE hex.
 */
export function qimenSign(
  params: Readonly<Record<string, string>>,
  secret: string,
): string {
  const body = sortedKeyValueConcat(params);
  return createHash('md5')
    .update(secret + body + secret, 'utf8')
    .digest('hex')
    .toUpperCase();
}
