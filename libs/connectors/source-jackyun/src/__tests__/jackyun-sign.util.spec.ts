import { describe, expect, it } from 'vitest';
import { jackyunSign } from '../protocol/jackyun-sign.util';
import { quoteBigIntegers, parseJsonLossless } from '../lossless-json.util';

describe('jackyunSign', () => {
  const params = {
    appkey: '12345678',
    method: 'erp.sales.get',
    version: 'v1.0',
    contenttype: 'json',
    timestamp: '2024-01-01 12:00:00',
    bizcontent: '{"pageIndex":0,"pageSize":50}',
  };

  it('should match the reference vector when signing the documented params', () => {
    expect(jackyunSign(params, 'DemoSecret')).toBe(
      'dcf5d7ce076f1bac6b35c936882f64d2',
    );
  });

  it('should ignore sign, contextid and token when they are present', () => {
    expect(
      jackyunSign(
        { ...params, sign: 'x', contextid: '1', token: 't' },
        'DemoSecret',
      ),
    ).toBe('dcf5d7ce076f1bac6b35c936882f64d2');
  });

  it('should change when the secret is wrong', () => {
    expect(jackyunSign(params, 'OtherSecret')).not.toBe(
      'dcf5d7ce076f1bac6b35c936882f64d2',
    );
  });
});

describe('parseJsonLossless', () => {
  it('should keep ids beyond 2^53 exact when parsing', () => {
    const parsed = parseJsonLossless(
      '{"TradeId":1712345678901234567,"n":12.5,"s":"1712345678901234567:9"}',
    );
    expect(parsed).toEqual({
      TradeId: '1712345678901234567',
      n: 12.5,
      s: '1712345678901234567:9',
    });
  });

  it('should leave text untouched when there is no big integer', () => {
    const text = '{"a":[1,2,-3.5e2],"b":"\\"9007199254740993\\""}';
    expect(quoteBigIntegers(text)).toBe(text);
  });
});
