import { b64HexHmacSha256 } from '../k3cloud/k3cloud-sign.util';

export type QueryEncoding = 'rfc3986' | 'form';

/** One URL-encoding pass: encodeURIComponent, or PHP urlencode style (space -> '+', also !'()* escaped). */
function encodeOnce(value: string, style: QueryEncoding): string {
  const base = encodeURIComponent(value);
  if (style === 'rfc3986') return base;
  return base
    .replace(/%20/g, '+')
    .replace(/[!'()*~]/g, (c) =>
      c === '~' ? '%7E' : `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
    );
}

/** Query part of the plain text: keys sorted (ASCII), key=value joined by '&', each part URL-encoded twice. */
export function jdyCanonicalQuery(
  params: Iterable<[string, string]>,
  style: QueryEncoding = 'rfc3986',
): string {
  const pairs = [...params].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return pairs
    .map(
      ([k, v]) =>
        `${encodeOnce(encodeOnce(k, style), style)}=${encodeOnce(encodeOnce(v, style), style)}`,
    )
    .join('&');
}

/** X-Api-Signature = base64(hex(HMAC-SHA256(clientSecret, METHOD\nenc(path)\nquery\nx-api-nonce:n\nx-api-timestamp:t\n))). */
export function jdyGatewaySignature(
  clientSecret: string,
  method: string,
  path: string,
  canonicalQuery: string,
  nonce: string,
  timestamp: string,
): string {
  const plain = `${method.toUpperCase()}\n${encodeURIComponent(path)}\n${canonicalQuery}\nx-api-nonce:${nonce}\nx-api-timestamp:${timestamp}\n`;
  return b64HexHmacSha256(clientSecret, plain);
}

/** app_signature = base64(hex(HMAC-SHA256(appSecret, appKey))). */
export function jdyAppSignature(appKey: string, appSecret: string): string {
  return b64HexHmacSha256(appSecret, appKey);
}
