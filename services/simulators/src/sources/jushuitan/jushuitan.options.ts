import { z } from 'zod';
import { jushuitanCountSpec } from './jushuitan-data';
import {
  pagingOptions,
  rateLimitOption,
  signedCallOptions,
  defineSource,
} from '../common';
import { sourceBaseOptionsSchema } from '../source-options.schema';

/** Error codes: 0/10/100/140/199/200 documented (reference §3.5); 20 (app_key) and 90 (parameters) are our choice. */
export const JUSHUITAN_CODES = {
  ok: 0,
  badSign: 10,
  badAppKey: 20,
  badParam: 90,
  badToken: 100,
  ipNotAllowed: 110,
  badTimestamp: 140,
  apiNotGranted: 190,
  perSecond: 199,
  perMinute: 200,
  busy: 500,
} as const;

export const jushuitanOptionsSchema = sourceBaseOptionsSchema
  .extend({
    ...signedCallOptions(
      {
        appKey: '5b53060f23d84ddf9703056e84fa5a2d',
        appSecret: 'e9c5ca33fecb404b8e6cdbd0ef4a6d25',
        accessToken: 'd7b01bf0842a4742a9450e21ffd95f60',
      },
      { timestampSkewSeconds: 900 },
    ),
    ...pagingOptions({
      maxPageSize: 50,
      defaultPageSize: 30,
      maxWindowDays: 7,
    }),
    maxIoIds: z.number().int().min(1).default(50),
    grantedApis: z
      .array(z.string())
      .nullable()
      .default(null)
      .describe('paths the app may call (code 190 otherwise); null = all'),
    ipWhitelist: z
      .array(z.string())
      .nullable()
      .default(null)
      .describe(
        'client addresses allowed (code 110 otherwise); null = no whitelist',
      ),
    rateLimit: rateLimitOption(
      { default: 5, describe: 'code 199 above it; 0 = unlimited' },
      { default: 100, describe: 'code 200 above it; 0 = unlimited' },
    ),
  })
  .strict();
export type JushuitanOptions = z.input<typeof jushuitanOptionsSchema>;

/** The platform's source simulator: options, main records (and their wire schema), throttle code. */
export const JUSHUITAN_SOURCE = defineSource(
  jushuitanOptionsSchema,
  jushuitanCountSpec,
  {
    perSecond: JUSHUITAN_CODES.perSecond as number,
    perMinute: JUSHUITAN_CODES.perMinute as number,
  },
);

/** The simulator's running state. */
export type JushuitanState = ReturnType<typeof JUSHUITAN_SOURCE.state>;
