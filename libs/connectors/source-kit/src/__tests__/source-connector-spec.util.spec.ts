import { describe, expect, it } from 'vitest';
import {
  sourceCredentials,
  sourceEndpoint,
  sourceStreams,
} from '../source-connector-spec.util';

describe('connector spec builders', () => {
  const credentials = sourceCredentials({
    appKey: ['ACME_APP_KEY', 'Acme app key'],
    appSecret: ['ACME_APP_SECRET', 'Acme app secret', 'secret'],
  });

  it('should declare each credential once as an env entry, a required variable and a client field', () => {
    expect(Object.keys(credentials.env)).toEqual([
      'ACME_APP_KEY',
      'ACME_APP_SECRET',
    ]);
    expect(credentials.env.ACME_APP_KEY.description).toBe('Acme app key');
    expect(credentials.env.ACME_APP_SECRET.description).toBe(
      'secret: Acme app secret',
    );
    expect(credentials.required).toEqual([
      { name: 'ACME_APP_KEY' },
      { name: 'ACME_APP_SECRET' },
    ]);
    expect(
      credentials.read({ ACME_APP_KEY: 'k1', ACME_APP_SECRET: 's3' }),
    ).toEqual({ appKey: 'k1', appSecret: 's3' });
  });

  it('should name the variable when a credential is missing as the client is built', () => {
    expect(() => credentials.read({ ACME_APP_KEY: 'k1' })).toThrow(
      'ACME_APP_SECRET is required',
    );
  });

  it('should list one stream per entity with the shared domain when streams are declared as a table', () => {
    expect(
      sourceStreams('crm', {
        'sales-order': ['GET', '/orders', 'id'],
        customer: ['POST', 'customer.list', 'customer_id'],
      }),
    ).toEqual([
      {
        entity: 'sales-order',
        domain: 'crm',
        api: '/orders',
        method: 'GET',
        idField: 'id',
      },
      {
        entity: 'customer',
        domain: 'crm',
        api: 'customer.list',
        method: 'POST',
        idField: 'customer_id',
      },
    ]);
    expect(
      sourceEndpoint('ACME_BASE_URL', 'https://acme.example', 18105),
    ).toEqual({
      variable: 'ACME_BASE_URL',
      production: 'https://acme.example',
      simulatorPort: 18105,
    });
  });
});
