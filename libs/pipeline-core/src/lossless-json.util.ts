import { parse, stringify } from 'lossless-json';

const INTEGER = /^-?\d+$/;

/**
 * A JSON number as JavaScript keeps it: an integer beyond 2^53 (a 64-bit id
 * such as Jackyun's ~1.7e18 trade ids) stays its exact decimal text; every
 * other number is the usual double, as `JSON.parse` gives it.
 */
function readNumber(text: string): number | string {
  const n = Number(text);
  return INTEGER.test(text) && !Number.isSafeInteger(n) ? text : n;
}

/**
 * `JSON.parse` that keeps integers beyond `Number.MAX_SAFE_INTEGER` exact as
 * strings. A repeated key keeps its last value, as `JSON.parse` does.
 * Throws `SyntaxError` on text that is not JSON.
 */
export function parseJsonLossless(text: string): unknown {
  return parse(text, null, {
    parseNumber: readNumber,
    onDuplicateKey: ({ newValue }) => newValue,
  });
}

/**
 * `JSON.stringify` that writes `bigint` values as bare integer literals, the
 * way Java/Go servers emit 64-bit ids (`"channelId":1786543210987654321`).
 */
export function stringifyJsonLossless(value: unknown): string {
  return stringify(value) ?? 'null';
}
