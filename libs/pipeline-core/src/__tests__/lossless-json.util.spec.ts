import { describe, expect, it } from 'vitest';
import {
  parseJsonLossless,
  stringifyJsonLossless,
} from '../lossless-json.util';

describe('lossless json', () => {
  it('should keep Jackyun trade ids beyond 2^53 exact when parsing', () => {
    expect(
      parseJsonLossless(
        '{"TradeId":1712345678901234567,"n":12.5,"s":"1712345678901234567:9"}',
      ),
    ).toEqual({
      TradeId: '1712345678901234567',
      n: 12.5,
      s: '1712345678901234567:9',
    });
  });

  it('should read text without big integers as JSON.parse does', () => {
    const text = '{"a":[1,2,-3.5e2],"b":"\\"9007199254740993\\"","c":-0}';
    expect(parseJsonLossless(text)).toEqual(JSON.parse(text));
  });

  it('should keep integers beyond 2^53 as their exact text and others as numbers', () => {
    expect(
      parseJsonLossless(
        '{"id":1712345678901234567,"neg":-9007199254740993,"max":9007199254740991,"n":12.5,"e":-3.5e2,"big":1e21}',
      ),
    ).toEqual({
      id: '1712345678901234567',
      neg: '-9007199254740993',
      max: 9007199254740991,
      n: 12.5,
      e: -350,
      big: 1e21,
    });
  });

  it('should leave big integers inside strings alone', () => {
    expect(
      parseJsonLossless(
        '{"s":"1712345678901234567:9","q":"\\"9007199254740993\\""}',
      ),
    ).toEqual({ s: '1712345678901234567:9', q: '"9007199254740993"' });
  });

  it('should keep the last value of a repeated key, as JSON.parse does', () => {
    expect(parseJsonLossless('{"a":1,"a":2}')).toEqual(
      JSON.parse('{"a":1,"a":2}'),
    );
  });

  it('should refuse text that is not JSON', () => {
    expect(() => parseJsonLossless('{"a":')).toThrow(SyntaxError);
    expect(() => parseJsonLossless('')).toThrow(SyntaxError);
  });

  it('should write bigints as bare integers and read them back exactly', () => {
    const text = stringifyJsonLossless({
      id: 1786543210987654321n,
      s: 'x',
      when: new Date(0),
      skip: undefined,
      list: [1n, undefined],
    });
    expect(text).toBe(
      '{"id":1786543210987654321,"s":"x","when":"1970-01-01T00:00:00.000Z","list":[1,null]}',
    );
    expect(parseJsonLossless(text)).toMatchObject({
      id: '1786543210987654321',
    });
  });
});
