import {
  defineSourceConnector,
  qimenTransport,
  sourceCredentials,
  sourceEnv,
  sourceEndpoint,
  sourceStreams,
} from '@kingbridge/source-kit';
import { WDT_QIMEN_STOCKOUT_METHOD } from '@kingbridge/source-wdt/protocol';
import { z } from 'zod';
import { WdtClient } from './wdt.client';

const qimen = qimenTransport('WDT', 'WDT');

const credentials = sourceCredentials({
  sid: ['WDT_SID', 'WDT seller account (sid)'],
  appKey: ['WDT_APP_KEY', 'WDT appkey'],
  appSecret: ['WDT_APP_SECRET', 'WDT app secret', 'secret'],
});

const endpoint = sourceEndpoint(
  'WDT_BASE_URL',
  'https://api.wangdian.cn',
  18102,
);

/** WDT 企业版 (旺店通) as the source-connector service runs it: `CONNECTOR_ID=wdt`. */
export const wdtConnector = defineSourceConnector({
  id: 'wdt',
  streams: sourceStreams('oms', {
    'stockout-order': ['POST', WDT_QIMEN_STOCKOUT_METHOD, 'stockout_id'],
  }),
  httpPort: 19402,
  endpoint,
  rateLimit: {
    variable: 'WDT_RATE_LIMIT',
    default: '1/1s',
    description: 'WDT request limit per appkey',
  },
  env: {
    WDT_BASE_URL: sourceEnv.origin(endpoint, 'WDT openapi2 origin'),
    ...credentials.env,
    WDT_TRANSPORT: z
      .enum(['openapi2', 'qimen'])
      .default('openapi2')
      .describe(
        'openapi2 (WDT_BASE_URL = WDT origin) or qimen: 企业奇门 router /router/qm on WDT_BASE_URL = the Qimen host (seed 001)',
      ),
    ...qimen.env,
  },
  requiredVariables: (env) => [
    ...credentials.required,
    ...qimen.required(env.WDT_TRANSPORT),
  ],
  createClient: (env, { timeoutMs, hooks }) =>
    new WdtClient({
      baseUrl: env.WDT_BASE_URL,
      credentials: credentials.read(env),
      ...qimen.credentials(env, env.WDT_TRANSPORT),
      timeoutMs,
      hooks,
    }),
});
