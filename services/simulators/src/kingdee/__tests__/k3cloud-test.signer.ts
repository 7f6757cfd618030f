import { createHash, createHmac } from 'node:crypto';

// Test-local signer written from /work/shared/reference/kingdee.md §1.4–1.5, independent of the simulator code.

export function loginBySignSign(
  acctId: string,
  userName: string,
  appId: string,
  appSecret: string,
  ts: string,
): string {
  const sorted = [acctId, userName, appId, appSecret, ts].sort((a, b) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  return createHash('sha256').update(sorted.join('')).digest('hex');
}

function b64hex(key: string, msg: string): string {
  return Buffer.from(
    createHmac('sha256', key).update(msg).digest('hex'),
  ).toString('base64');
}

/** The headers the official Java SDK sends on every call (signed-header mode, no login). */
export function sdkSignedHeaders(opts: {
  appId: string;
  appSecret: string;
  acctId: string;
  userName: string;
  path: string;
  lcid?: number;
  orgNum?: number;
  timestampMs?: number;
}): Record<string, string> {
  const ts = String(opts.timestampMs ?? Date.now());
  const [clientId = '', encoded = ''] = opts.appId.split('_');
  let gwSecret = encoded;
  if (encoded.length === 32) {
    const raw = Buffer.from(encoded, 'base64');
    const seed = Buffer.from('0054f397c6234378b09ca7d3e5debce7');
    gwSecret = Buffer.from(raw.map((b, i) => b ^ (seed[i] ?? 0))).toString(
      'base64',
    );
  }
  const appData = `${opts.acctId},${opts.userName},${opts.lcid ?? 2052},${opts.orgNum ?? 0}`;
  const plain = `POST\n${encodeURIComponent(opts.path)}\n\nx-api-nonce:${ts}\nx-api-timestamp:${ts}\n`;
  return {
    'content-type': 'application/json',
    'X-Api-ClientID': clientId,
    'X-Api-Auth-Version': '2.0',
    'x-api-timestamp': ts,
    'x-api-nonce': ts,
    'x-api-signheaders': 'X-Api-TimeStamp,X-Api-Nonce',
    'X-Api-Signature': b64hex(gwSecret, plain),
    'X-Kd-Appkey': opts.appId,
    'X-Kd-Appdata': Buffer.from(appData).toString('base64'),
    'X-Kd-Signature': b64hex(opts.appSecret, opts.appId + appData),
    'User-Agent':
      'Kingdee/Java WebApi SDK 7.3 (compatible; MSIE 6.0; Windows NT 5.1;SV1)',
  };
}

/** JDY gateway signature (§2.2): METHOD\nenc(path)\nquery\nx-api-nonce:…\nx-api-timestamp:…\n, query values encoded twice. */
export function jdySignature(
  secret: string,
  method: string,
  path: string,
  query: Record<string, string>,
  nonce: string,
  ts: string,
): string {
  const q = Object.keys(query)
    .sort()
    .map(
      (k) =>
        `${encodeURIComponent(encodeURIComponent(k))}=${encodeURIComponent(encodeURIComponent(query[k] ?? ''))}`,
    )
    .join('&');
  return b64hex(
    secret,
    `${method}\n${encodeURIComponent(path)}\n${q}\nx-api-nonce:${nonce}\nx-api-timestamp:${ts}\n`,
  );
}

export function jdyAppSignature(appKey: string, appSecret: string): string {
  return b64hex(appSecret, appKey);
}
