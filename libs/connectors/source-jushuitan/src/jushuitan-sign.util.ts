import { createHash } from 'node:crypto';

/**
 * Jushuitan open API v2 signature: `md5_hex_lower(app_secret + Σ(key + value))`
 * over all params but `sign`, keys sorted ascending; secret at the front
 * only, no separators, no case folding.
 */
export function jushuitanSign(
  params: Readonly<Record<string, string>>,
  secret: string,
): string {
  const body = Object.keys(params)
    .filter((k) => k !== 'sign')
    .sort()
    .map((k) => `${k}${params[k] ?? ''}`)
    .join('');
  return createHash('md5').update(`${secret}${body}`, 'utf8').digest('hex');
}
