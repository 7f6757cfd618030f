const MARK = '\u0000bigint:';

/**
 * JSON.stringify that writes `bigint` values as bare integer literals, the way Java/Go servers emit
 * 64-bit ids (e.g. `"channelId":1786543210987654321`). A client using plain `JSON.parse` loses
 * precision on those, exactly as it would in production.
 */
export function stringifyWithBigInt(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'bigint' ? `${MARK}${v.toString()}` : v,
  );
  return text.replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
}
