import { createHash } from 'node:crypto';
import { sortedKeyValueConcat } from '../source-kit';

/** Jushuitan v2 signature (reference §3.3): md5_hex_lower(secret + Σ sorted(key + value)), sign excluded. */
export function jushuitanSign(
  params: Readonly<Record<string, string>>,
  secret: string,
): string {
  const body = sortedKeyValueConcat(params);
  return createHash('md5')
    .update(secret + body, 'utf8')
    .digest('hex');
}
