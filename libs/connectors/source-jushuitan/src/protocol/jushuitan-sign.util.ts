import { createHash } from 'node:crypto';
import { sortedKeyValues } from '@kingbridge/source-kit';

/**
 * Jushuitan open API v2 signature: `md5_hex_lower(app_secret + Σ(key + value))`
 * over all params but `sign`, keys sorted ascending; secret at the front
 * only, no separators, no case folding.
 */
export function jushuitanSign(
  params: Readonly<Record<string, string>>,
  secret: string,
): string {
  return createHash('md5')
    .update(`${secret}${sortedKeyValues(params)}`, 'utf8')
    .digest('hex');
}
