import { describe, expect, it } from 'vitest';
import {
  k3ApiSignature,
  k3GatewaySecrets,
  k3KdSignature,
} from '@kingbridge/sink-kingdee-client/protocol';
import { sdkSignedHeaders } from './k3cloud-test.signer';

// The reference vectors are tested with the protocol (libs/connectors/sink-kingdee); here the protocol's
// signatures are checked against the test-local SDK signer the simulator's own tests use.
describe('Kingdee signatures', () => {
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
