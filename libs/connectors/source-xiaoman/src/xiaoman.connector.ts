import {
  defineSourceConnector,
  sourceEnv,
  sourceEndpoint,
  sourceStreams,
} from '@kingbridge/source-kit';
import { XIAOMAN_ORDER_LIST_PATH } from '@kingbridge/source-xiaoman/protocol';
import { z } from 'zod';
import { XiaomanClient } from './xiaoman.client';

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
    XIAOMAN_CLIENT_ID: sourceEnv.optional('OKKI OAuth client_id'),
    XIAOMAN_CLIENT_SECRET: sourceEnv.secret('OKKI OAuth client_secret'),
    XIAOMAN_SCOPE: z.string().default('invoices').describe('OKKI OAuth scope'),
  },
  requiredVariables: () => [
    { name: 'XIAOMAN_CLIENT_ID' },
    { name: 'XIAOMAN_CLIENT_SECRET' },
  ],
  createClient: (env, { timeoutMs, hooks }) =>
    new XiaomanClient({
      baseUrl: env.XIAOMAN_BASE_URL,
      credentials: {
        clientId: sourceEnv.required(env, 'XIAOMAN_CLIENT_ID'),
        clientSecret: sourceEnv.required(env, 'XIAOMAN_CLIENT_SECRET'),
        scope: env.XIAOMAN_SCOPE,
      },
      timeoutMs,
      hooks,
    }),
});
