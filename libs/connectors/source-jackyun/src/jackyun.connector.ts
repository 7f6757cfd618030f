import {
  defineSourceConnector,
  qimenTransport,
  sourceEnv,
} from '@kingbridge/source-kit';
import { z } from 'zod';
import { JackyunClient } from './jackyun.client';

const qimen = qimenTransport('JACKYUN', 'Jackyun');

const endpoint = {
  variable: 'JACKYUN_BASE_URL',
  production: 'https://open.jackyun.com',
  simulatorPort: 18101,
} as const;

/** Jackyun (吉客云) as the source-connector service runs it: `CONNECTOR_ID=jackyun`. */
export const jackyunConnector = defineSourceConnector({
  id: 'jackyun',
  streams: [
    {
      entity: 'sales-order',
      domain: 'oms',
      api: 'jackyun.tradenotsensitiveinfos.list.get',
      method: 'POST',
      idField: 'tradeId',
    },
    {
      entity: 'sales-channel',
      domain: 'oms',
      api: 'erp.sales.get',
      method: 'POST',
      idField: 'channelId',
    },
  ],
  httpPort: 19401,
  endpoint,
  rateLimit: {
    variable: 'JACKYUN_RATE_LIMIT',
    default: '1/1s',
    description:
      'Jackyun request limit per appkey, e.g. 1/1s (community: 1 req/s)',
  },
  env: {
    JACKYUN_BASE_URL: sourceEnv.origin(endpoint, 'Jackyun gateway origin'),
    JACKYUN_APP_KEY: sourceEnv.optional('Jackyun appkey'),
    JACKYUN_APP_SECRET: sourceEnv.secret('Jackyun app secret'),
    JACKYUN_TRANSPORT: z
      .enum(['direct', 'qimen'])
      .default('direct')
      .describe(
        'direct (open/openapi/do on JACKYUN_BASE_URL) or qimen: 吉客云·奇门 router /router/qm on JACKYUN_BASE_URL = the Qimen host (seed 000)',
      ),
    ...qimen.env,
  },
  requiredVariables: (env) => [
    { name: 'JACKYUN_APP_KEY' },
    { name: 'JACKYUN_APP_SECRET' },
    ...qimen.required(env.JACKYUN_TRANSPORT),
  ],
  createClient: (env, { timeoutMs, hooks }) =>
    new JackyunClient({
      baseUrl: env.JACKYUN_BASE_URL,
      credentials: {
        appKey: sourceEnv.required(env, 'JACKYUN_APP_KEY'),
        appSecret: sourceEnv.required(env, 'JACKYUN_APP_SECRET'),
      },
      ...qimen.credentials(env, env.JACKYUN_TRANSPORT),
      timeoutMs,
      hooks,
    }),
});
