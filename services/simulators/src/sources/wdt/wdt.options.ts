import { z } from 'zod';
import { wdtStockoutSpec } from './wdt-data';
import {
  pagingOptions,
  rateLimitOption,
  signedCallOptions,
  defineSource,
} from '../common';
import { sourceBaseOptionsSchema } from '../source-options.schema';

/** Error codes. 2900 (parameters) and 1060 are documented; the others are our choice (reference §2.5: U). */
export const WDT_CODES = {
  ok: 0,
  busy: 1000,
  badSid: 1010,
  badAppkey: 1020,
  badTimestamp: 1030,
  badSign: 1040,
  throttled: 1070,
  notFound: 1090,
  badParam: 2900,
} as const;

export const WDT_STATUSES = [5, 55, 95, 105, 110, 113] as const;

export const wdtOptionsSchema = sourceBaseOptionsSchema
  .extend({
    ...signedCallOptions(
      { sid: 'demo_sid', appkey: 'demo_key', secret: 'demo_secret' },
      { timestampSkewSeconds: 300 },
    ),
    ...pagingOptions({
      maxPageSize: 100,
      defaultPageSize: 40,
      maxWindowDays: 30,
    }),
    rateLimit: rateLimitOption(
      { default: 5, describe: '0 = unlimited (U: our choice)' },
      { default: 0 },
    ),
    qimenAppKey: z.string().default('demo_qm_key'),
    qimenSecret: z.string().default('demo_qm_secret'),
    qimenTargetAppKey: z.string().default('demo_target_key'),
    qimenTimestampSkewSeconds: z.number().int().min(0).default(600),
    totalCountBeyondFirstPage: z
      .enum(['zero', 'absent'])
      .default('zero')
      .describe('total_count on page_no > 0'),
  })
  .strict();
export type WdtOptions = z.input<typeof wdtOptionsSchema>;

/** The platform's source simulator: options, main records (and their wire schema), throttle code. */
export const WDT_SOURCE = defineSource(
  wdtOptionsSchema,
  wdtStockoutSpec,
  WDT_CODES.throttled as number,
);

/** The simulator's running state. */
export type WdtState = ReturnType<typeof WDT_SOURCE.state>;
