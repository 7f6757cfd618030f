import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type LoginSignAlgorithm = 'sha256' | 'sha1';

/** LoginBySign: sort [acct, user, appId, appSecret, ts] ordinally, concatenate, SHA-256 (SHA-1 before PT-146911), lower hex. */
export function k3LoginSign(
  parts: {
    acctId: string;
    userName: string;
    appId: string;
    appSecret: string;
    timestamp: string;
  },
  algorithm: LoginSignAlgorithm = 'sha256',
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

/** base64 of the lowercase hex string of HMAC-SHA256 (not of the raw digest), as the official SDKs do. */
export function b64HexHmacSha256(key: string, message: string): string {
  const hex = createHmac('sha256', Buffer.from(key, 'utf8'))
    .update(message, 'utf8')
    .digest('hex');
  return Buffer.from(hex, 'utf8').toString('base64');
}

/** X-Kd-Signature = B64HEX(HMAC-SHA256(appSecret, appId + appDataPlain)). */
export function k3KdSignature(
  appId: string,
  appSecret: string,
  appDataPlain: string,
): string {
  return b64HexHmacSha256(appSecret, appId + appDataPlain);
}

/** X-Kd-Appdata = base64("acctId,userName,lcid,orgNum"). */
export function k3AppData(
  acctId: string,
  userName: string,
  lcid: string | number,
  orgNum: string | number,
): string {
  return Buffer.from(
    `${acctId},${userName},${lcid},${orgNum}`,
    'utf8',
  ).toString('base64');
}

const GATEWAY_XOR_SEED = '0054f397c6234378b09ca7d3e5debce7';

/**
 * Gateway secret from the AppID part after `_`. A 32-char part is base64-decoded, XORed with the SDK seed and
 * re-encoded. Otherwise Java uses it verbatim and Python uses '' — returned as the two candidates.
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

/** X-Api-Signature over "POST\n" + urlencode(path) + "\n\n" + nonce/timestamp lines; the body is not signed. */
export function k3ApiSignature(
  gwSecret: string,
  path: string,
  nonce: string,
  timestamp: string,
): string {
  const plain = `POST\n${encodeURIComponent(path)}\n\nx-api-nonce:${nonce}\nx-api-timestamp:${timestamp}\n`;
  return b64HexHmacSha256(gwSecret, plain);
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
