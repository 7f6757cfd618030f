import { describe, expect, it } from 'vitest';
import { wdtSign, wdtSignString } from '@kingbridge/source-wdt/protocol';

describe('wdtSign', () => {
  const params = {
    sid: 'demo_sid',
    appkey: 'demo_key',
    timestamp: '1700000000',
    start_time: '2024-01-01 00:00:00',
    end_time: '2024-01-01 01:00:00',
    page_no: '0',
    page_size: '100',
  };

  it('should build the documented string when signing the reference params', () => {
    expect(wdtSignString(params, 'demo_secret')).toBe(
      '06-appkey:0008-demo_key;08-end_time:0019-2024-01-01 01:00:00;07-page_no:0001-0;09-page_size:0003-100;03-sid:0008-demo_sid;10-start_time:0019-2024-01-01 00:00:00;09-timestamp:0010-1700000000demo_secret',
    );
  });

  it('should match the reference vector when signing the reference params', () => {
    expect(wdtSign(params, 'demo_secret')).toBe(
      'aa122a3cbfdf75a72350ac6ded56eca4',
    );
  });

  it('should count characters, not bytes, when values are Chinese', () => {
    expect(wdtSignString({ shop_no: '旗舰店' }, 's')).toBe(
      '07-shop_no:0003-旗舰店s',
    );
  });
});
