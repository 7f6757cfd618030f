import { createHash, createHmac } from 'node:crypto';

/** LoginBySign hash: SHA-256 (SHA-1 on servers before PT-146911 8.0.0.202205). */
export type K3LoginSignAlgorithm = 'sha256' | 'sha1';

/**
 * K3Cloud LoginBySign: `[acctId, userName, appId, appSecret, timestampSeconds]`
 * sorted with ordinal comparison, concatenated, hashed, lowercase hex.
 */
export function k3LoginSign(
  parts: {
    readonly acctId: string;
    readonly userName: string;
    readonly appId: string;
    readonly appSecret: string;
    readonly timestamp: string;
  },
  algorithm: K3LoginSignAlgorithm = 'sha256',
): string {
  const values = [
    parts.acctId,
    parts.userName,
    parts.appId,
    parts.appSecret,
    parts.timestamp,
  ];
  values.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash(algorithm).update(values.join(''), 'utf8').digest('hex');
}

/** base64 of the lowercase hex string of HMAC-SHA256 (not of the raw digest), as Kingdee's SDKs do. */
export function b64HexHmacSha256(key: string, message: string): string {
  const hex = createHmac('sha256', Buffer.from(key, 'utf8'))
    .update(message, 'utf8')
    .digest('hex');
  return Buffer.from(hex, 'utf8').toString('base64');
}

/** `X-Kd-Appdata` plain text: `acctId,userName,lcid,orgNum`. */
export function k3AppDataPlain(
  acctId: string,
  userName: string,
  lcid: string | number,
  orgNum: string | number,
): string {
  return `${acctId},${userName},${lcid},${orgNum}`;
}

/** `X-Kd-Appdata` header value: base64 of `k3AppDataPlain`. */
export function k3AppData(
  acctId: string,
  userName: string,
  lcid: string | number,
  orgNum: string | number,
): string {
  return Buffer.from(
    k3AppDataPlain(acctId, userName, lcid, orgNum),
    'utf8',
  ).toString('base64');
}

/** `X-Kd-Signature` = B64HEX(HMAC-SHA256(appSecret, appId + appDataPlain)). */
export function k3KdSignature(
  appId: string,
  appSecret: string,
  appDataPlain: string,
): string {
  return b64HexHmacSha256(appSecret, appId + appDataPlain);
}

const GATEWAY_XOR_SEED = '0054f397c6234378b09ca7d3e5debce7';

/**
 * Gateway secret from the AppID part after `_`: a 32-char part is base64
 * decoded, XORed with the SDK seed and re-encoded; otherwise used verbatim
 * (Java SDK behaviour).
 */
export function k3GatewaySecret(appId: string): string {
  return k3GatewaySecrets(appId)[0] ?? '';
}

/**
 * Every gateway secret an SDK may sign with: the decoded one for a 32-char AppID part; otherwise Java uses
 * the part verbatim and Python uses '' (a server accepts both).
 */
export function k3GatewaySecrets(appId: string): string[] {
  const underscore = appId.indexOf('_');
  const encoded = underscore >= 0 ? appId.slice(underscore + 1) : '';
  if (encoded.length !== 32) return [encoded, ''];
  const raw = Buffer.from(encoded, 'base64');
  const seed = Buffer.from(GATEWAY_XOR_SEED, 'ascii');
  const out = Buffer.alloc(raw.length);
  for (let i = 0; i < raw.length; i += 1)
    out[i] = (raw[i] ?? 0) ^ (seed[i] ?? 0);
  return [out.toString('base64')];
}

/** `X-Api-Signature` over `POST\n<enc(path)>\n\nx-api-nonce:..\nx-api-timestamp:..\n` (body not signed). */
export function k3ApiSignature(
  gwSecret: string,
  path: string,
  nonce: string,
  timestamp: string,
): string {
  const plain = `POST\n${encodeURIComponent(path)}\n\nx-api-nonce:${nonce}\nx-api-timestamp:${timestamp}\n`;
  return b64HexHmacSha256(gwSecret, plain);
}

/** How a JDY SDK URL-encodes: encodeURIComponent, or PHP urlencode (space -> '+', also !'()*~ escaped). */
export type JdyQueryEncoding = 'rfc3986' | 'form';

function encodeOnce(value: string, style: JdyQueryEncoding): string {
  const base = encodeURIComponent(value);
  if (style === 'rfc3986') return base;
  return base
    .replace(/%20/g, '+')
    .replace(/[!'()*~]/g, (c) =>
      c === '~' ? '%7E' : `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
    );
}

/** JDY query part of the signed text: keys sorted (ASCII), each key and value URL-encoded twice. */
export function jdyCanonicalQuery(
  params: Iterable<readonly [string, string]>,
  style: JdyQueryEncoding = 'rfc3986',
): string {
  const pairs = [...params].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const enc2 = (s: string): string => encodeOnce(encodeOnce(s, style), style);
  return pairs.map(([k, v]) => `${enc2(k)}=${enc2(v)}`).join('&');
}

/** JDY `X-Api-Signature` = base64(hex(HMAC-SHA256(clientSecret, METHOD\nenc(path)\nquery\nnonce\ntimestamp\n))). */
export function jdyGatewaySignature(
  clientSecret: string,
  method: string,
  path: string,
  canonicalQuery: string,
  nonce: string,
  timestamp: string,
): string {
  const plain =
    `${method.toUpperCase()}\n${encodeURIComponent(path)}\n${canonicalQuery}\n` +
    `x-api-nonce:${nonce}\nx-api-timestamp:${timestamp}\n`;
  return b64HexHmacSha256(clientSecret, plain);
}

/** JDY `app_signature` = base64(hex(HMAC-SHA256(appSecret, appKey))). */
export function jdyAppSignature(appKey: string, appSecret: string): string {
  return b64HexHmacSha256(appSecret, appKey);
}
