import {
  defineSourceConnector,
  sourceCredentials,
  sourceEnv,
  sourceEndpoint,
  sourceStreams,
} from '@kingbridge/source-kit';
import { JUSHUITAN_INVENTORY_COUNT_PATH } from '@kingbridge/source-jushuitan/protocol';
import { JushuitanClient } from './jushuitan.client';

const credentials = sourceCredentials({
  appKey: ['JUSHUITAN_APP_KEY', 'Jushuitan app_key'],
  appSecret: ['JUSHUITAN_APP_SECRET', 'Jushuitan app secret', 'secret'],
  accessToken: ['JUSHUITAN_ACCESS_TOKEN', 'Jushuitan access_token', 'secret'],
});

const endpoint = sourceEndpoint(
  'JUSHUITAN_BASE_URL',
  'https://openapi.jushuitan.com',
  18103,
);

/** Jushuitan (聚水潭) as the source-connector service runs it: `CONNECTOR_ID=jushuitan`. */
export const jushuitanConnector = defineSourceConnector({
  id: 'jushuitan',
  streams: sourceStreams('oms', {
    'inventory-count': ['POST', JUSHUITAN_INVENTORY_COUNT_PATH, 'io_id'],
  }),
  httpPort: 19403,
  endpoint,
  rateLimit: {
    variable: 'JUSHUITAN_RATE_LIMIT',
    default: '5/1s,100/60s',
    description: 'Jushuitan limits (documented: 5/s and 100/min)',
  },
  env: {
    JUSHUITAN_BASE_URL: sourceEnv.origin(endpoint, 'Jushuitan origin'),
    ...credentials.env,
  },
  requiredVariables: () => credentials.required,
  createClient: (env, { timeoutMs, hooks }) =>
    new JushuitanClient({
      baseUrl: env.JUSHUITAN_BASE_URL,
      credentials: credentials.read(env),
      timeoutMs,
      hooks,
    }),
});
