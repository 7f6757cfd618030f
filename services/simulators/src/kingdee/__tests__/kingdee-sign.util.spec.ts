import { describe, expect, it } from 'vitest';
import {
  jdyAppSignature,
  jdyCanonicalQuery,
  jdyGatewaySignature,
} from '@kingbridge/sink-kingdee-client/protocol';
import {
  k3ApiSignature,
  k3GatewaySecrets,
  k3KdSignature,
  k3LoginSign,
} from '@kingbridge/sink-kingdee-client/protocol';
import { sdkSignedHeaders } from './k3cloud-test.signer';

// Vectors from /work/shared/reference/kingdee.md §1.4, §2.2, §2.3.
describe('Kingdee signatures', () => {
  it('should match the LoginBySign vector when inputs are sorted ordinally', () => {
    expect(
      k3LoginSign({
        acctId: 'acct001',
        userName: 'demo',
        appId: 'appid001',
        appSecret: 'secret001',
        timestamp: '1700000000',
      }),
    ).toBe('7bcff58ba87330748813796cb485935be859ea08dfb3f760187298c5bc991a6e');
  });

  it('should match the JDY gateway vectors with and without a query', () => {
    const secret = '88e40499b2af98eaa8e81046353954a3';
    const query = jdyCanonicalQuery([
      ['outerInstanceId', '509132114453729280'],
    ]);
    expect(
      jdyGatewaySignature(
        secret,
        'POST',
        '/jdyconnector/app_management/push_app_authorize',
        query,
        '1234567',
        '1741234567890',
      ),
    ).toBe(
      'YTliMzk3ZWU0MGYwYjIwNGE1NzU0NTA5MmIyNDA5ZTQ0MGI4M2Q2MmI2YWM0NWNlYmE0ZTZlZTE4ODEyOTc4Nw==',
    );
    expect(
      jdyGatewaySignature(
        secret,
        'POST',
        '/jdy/v2/scm/inv_check_loss_bill',
        '',
        '1234567',
        '1741234567890',
      ),
    ).toBe(
      'NDJiN2Q0MDVkZDdhMjY4NDBkMjlkOWExMDEwNTkxOWJkOWRmNmJmODJiNTlhMzlmMTAyYjUxNDE2MWUwOGVhNQ==',
    );
  });

  it('should match the app_signature vector', () => {
    expect(jdyAppSignature('abc', 'abc123')).toBe(
      'ZDljMTI3NGIyNTE1MTRkYzlkNjc1MDNhYjUzMzgzNWMyY2M4YTdjMzdmNmM3YTVlNDkxMTkzNjdiOTFjNzUyZQ==',
    );
  });

  it('should encode query values twice when they need escaping', () => {
    expect(
      jdyCanonicalQuery([
        ['search', 'a b/c'],
        ['page', '1'],
      ]),
    ).toBe('page=1&search=a%2520b%252Fc');
  });

  it('should agree with the test-local SDK signer on X-Kd-Signature and X-Api-Signature', () => {
    const appId = '235326_w53uTUC1ZtWy5aRt2pMQRvQ7m6CXnLkB';
    const path =
      '/k3cloud/Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.Save.common.kdsvc';
    const headers = sdkSignedHeaders({
      appId,
      appSecret: 's3cret',
      acctId: 'A1',
      userName: 'u',
      path,
      timestampMs: 1700000000000,
    });
    expect(headers['X-Kd-Signature']).toBe(
      k3KdSignature(appId, 's3cret', 'A1,u,2052,0'),
    );
    const [gw] = k3GatewaySecrets(appId);
    expect(headers['X-Api-Signature']).toBe(
      k3ApiSignature(gw!, path, '1700000000000', '1700000000000'),
    );
    expect(k3GatewaySecrets('123_short')).toEqual(['short', '']);
  });
});
