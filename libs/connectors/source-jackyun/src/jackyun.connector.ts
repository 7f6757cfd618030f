import {
  defineSourceConnector,
  qimenTransport,
  sourceCredentials,
  sourceEnv,
  sourceEndpoint,
  sourceStreams,
} from '@kingbridge/source-kit';
import {
  JACKYUN_CHANNELS_METHOD,
  JACKYUN_TRADES_METHOD,
} from '@kingbridge/source-jackyun/protocol';
import { z } from 'zod';
import { JackyunClient } from './jackyun.client';

const qimen = qimenTransport('JACKYUN', 'Jackyun');

const credentials = sourceCredentials({
  appKey: ['JACKYUN_APP_KEY', 'Jackyun appkey'],
  appSecret: ['JACKYUN_APP_SECRET', 'Jackyun app secret', 'secret'],
});

const endpoint = sourceEndpoint(
  'JACKYUN_BASE_URL',
  'https://open.jackyun.com',
  18101,
);

/** Jackyun (吉客云) as the source-connector service runs it: `CONNECTOR_ID=jackyun`. */
export const jackyunConnector = defineSourceConnector({
  id: 'jackyun',
  streams: sourceStreams('oms', {
    'sales-order': ['POST', JACKYUN_TRADES_METHOD, 'tradeId'],
    'sales-channel': ['POST', JACKYUN_CHANNELS_METHOD, 'channelId'],
  }),
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
    ...credentials.env,
    JACKYUN_TRANSPORT: z
      .enum(['direct', 'qimen'])
      .default('direct')
      .describe(
        'direct (open/openapi/do on JACKYUN_BASE_URL) or qimen: 吉客云·奇门 router /router/qm on JACKYUN_BASE_URL = the Qimen host (seed 000)',
      ),
    ...qimen.env,
  },
  requiredVariables: (env) => [
    ...credentials.required,
    ...qimen.required(env.JACKYUN_TRANSPORT),
  ],
  createClient: (env, { timeoutMs, hooks }) =>
    new JackyunClient({
      baseUrl: env.JACKYUN_BASE_URL,
      credentials: credentials.read(env),
      ...qimen.credentials(env, env.JACKYUN_TRANSPORT),
      timeoutMs,
      hooks,
    }),
});
