import {
  defineSourceConnector,
  qimenTransport,
  sourceEnv,
  sourceEndpoint,
  sourceStreams,
} from '@kingbridge/source-kit';
import { WDT_QIMEN_STOCKOUT_METHOD } from '@kingbridge/source-wdt/protocol';
import { z } from 'zod';
import { WdtClient } from './wdt.client';

const qimen = qimenTransport('WDT', 'WDT');

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
    WDT_SID: sourceEnv.optional('WDT seller account (sid)'),
    WDT_APP_KEY: sourceEnv.optional('WDT appkey'),
    WDT_APP_SECRET: sourceEnv.secret('WDT app secret'),
    WDT_TRANSPORT: z
      .enum(['openapi2', 'qimen'])
      .default('openapi2')
      .describe(
        'openapi2 (WDT_BASE_URL = WDT origin) or qimen: 企业奇门 router /router/qm on WDT_BASE_URL = the Qimen host (seed 001)',
      ),
    ...qimen.env,
  },
  requiredVariables: (env) => [
    { name: 'WDT_SID' },
    { name: 'WDT_APP_KEY' },
    { name: 'WDT_APP_SECRET' },
    ...qimen.required(env.WDT_TRANSPORT),
  ],
  createClient: (env, { timeoutMs, hooks }) =>
    new WdtClient({
      baseUrl: env.WDT_BASE_URL,
      credentials: {
        sid: sourceEnv.required(env, 'WDT_SID'),
        appKey: sourceEnv.required(env, 'WDT_APP_KEY'),
        appSecret: sourceEnv.required(env, 'WDT_APP_SECRET'),
      },
      ...qimen.credentials(env, env.WDT_TRANSPORT),
      timeoutMs,
      hooks,
    }),
});
