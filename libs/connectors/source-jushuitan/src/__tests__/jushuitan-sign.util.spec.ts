import { describe, expect, it } from 'vitest';
import { jushuitanSign } from '@kingbridge/source-jushuitan/protocol';

const SECRET = 'e9c5ca33fecb404b8e6cdbd0ef4a6d25';
const APP_KEY = '5b53060f23d84ddf9703056e84fa5a2d';

describe('jushuitanSign', () => {
  it('should match published vector 1 when signing a biz request', () => {
    const params = {
      app_key: APP_KEY,
      access_token: 'd7b01bf0842a4742a9450e21ffd95f60',
      timestamp: '1639128407',
      charset: 'utf-8',
      version: '2',
      biz: '{"page_index":"1","page_size":"100","nicks":["老板"]}',
    };
    expect(jushuitanSign(params, SECRET)).toBe(
      '395f5a78b446be465ac03a02491296c7',
    );
  });

  it('should match published vector 2 when signing a token request', () => {
    const params = {
      app_key: APP_KEY,
      grant_type: 'authorization_code',
      charset: 'utf-8',
      code: '123456',
      timestamp: '1639128407',
    };
    expect(jushuitanSign(params, SECRET)).toBe(
      '05e3a51e19e0883afd1882ccd309e0b9',
    );
  });

  it('should ignore an existing sign param when signing', () => {
    const params = {
      app_key: APP_KEY,
      grant_type: 'authorization_code',
      charset: 'utf-8',
      code: '123456',
      timestamp: '1639128407',
    };
    expect(jushuitanSign({ ...params, sign: 'zzz' }, SECRET)).toBe(
      '05e3a51e19e0883afd1882ccd309e0b9',
    );
  });
});
