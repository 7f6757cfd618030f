import { describe, expect, it } from 'vitest';
import { jackyunSign } from '@kingbridge/source-jackyun/protocol';

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
