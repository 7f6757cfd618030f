import { defineSourceConnector, sourceEnv } from '@kingbridge/source-kit';
import { JushuitanClient } from './jushuitan.client';

const endpoint = {
  variable: 'JUSHUITAN_BASE_URL',
  production: 'https://openapi.jushuitan.com',
  simulatorPort: 18103,
} as const;

/** Jushuitan (聚水潭) as the source-connector service runs it: `CONNECTOR_ID=jushuitan`. */
export const jushuitanConnector = defineSourceConnector({
  id: 'jushuitan',
  streams: [
    {
      entity: 'inventory-count',
      domain: 'oms',
      api: '/open/inventory/count/query',
      method: 'POST',
      idField: 'io_id',
    },
  ],
  httpPort: 19403,
  endpoint,
  rateLimit: {
    variable: 'JUSHUITAN_RATE_LIMIT',
    default: '5/1s,100/60s',
    description: 'Jushuitan limits (documented: 5/s and 100/min)',
  },
  env: {
    JUSHUITAN_BASE_URL: sourceEnv.origin(endpoint, 'Jushuitan origin'),
    JUSHUITAN_APP_KEY: sourceEnv.optional('Jushuitan app_key'),
    JUSHUITAN_APP_SECRET: sourceEnv.secret('Jushuitan app secret'),
    JUSHUITAN_ACCESS_TOKEN: sourceEnv.secret('Jushuitan access_token'),
  },
  requiredVariables: () => [
    { name: 'JUSHUITAN_APP_KEY' },
    { name: 'JUSHUITAN_APP_SECRET' },
    { name: 'JUSHUITAN_ACCESS_TOKEN' },
  ],
  createClient: (env, { timeoutMs, hooks }) =>
    new JushuitanClient({
      baseUrl: env.JUSHUITAN_BASE_URL,
      credentials: {
        appKey: sourceEnv.required(env, 'JUSHUITAN_APP_KEY'),
        appSecret: sourceEnv.required(env, 'JUSHUITAN_APP_SECRET'),
        accessToken: sourceEnv.required(env, 'JUSHUITAN_ACCESS_TOKEN'),
      },
      timeoutMs,
      hooks,
    }),
});
