import {
  defineSourceConnector,
  sourceCredentials,
  sourceEnv,
  sourceEndpoint,
  sourceStreams,
} from '@kingbridge/source-kit';
import { XIAOMAN_ORDER_LIST_PATH } from '@kingbridge/source-xiaoman/protocol';
import { z } from 'zod';
import { XiaomanClient } from './xiaoman.client';

const credentials = sourceCredentials({
  clientId: ['XIAOMAN_CLIENT_ID', 'OKKI OAuth client_id'],
  clientSecret: ['XIAOMAN_CLIENT_SECRET', 'OKKI OAuth client_secret', 'secret'],
});

const endpoint = sourceEndpoint(
  'XIAOMAN_BASE_URL',
  'https://api-sandbox.xiaoman.cn',
  18104,
);

/** OKKI (小满) CRM as the source-connector service runs it: `CONNECTOR_ID=xiaoman`. */
export const xiaomanConnector = defineSourceConnector({
  id: 'xiaoman',
  streams: sourceStreams('crm', {
    'sales-order': ['GET', XIAOMAN_ORDER_LIST_PATH, 'order_id'],
  }),
  httpPort: 19404,
  endpoint,
  rateLimit: {
    variable: 'XIAOMAN_RATE_LIMIT',
    default: '5/1s',
    description: 'OKKI request limit (undocumented)',
  },
  env: {
    XIAOMAN_BASE_URL: sourceEnv.origin(endpoint, 'OKKI origin'),
    ...credentials.env,
    XIAOMAN_SCOPE: z.string().default('invoices').describe('OKKI OAuth scope'),
  },
  requiredVariables: () => credentials.required,
  createClient: (env, { timeoutMs, hooks }) =>
    new XiaomanClient({
      baseUrl: env.XIAOMAN_BASE_URL,
      credentials: { ...credentials.read(env), scope: env.XIAOMAN_SCOPE },
      timeoutMs,
      hooks,
    }),
});
