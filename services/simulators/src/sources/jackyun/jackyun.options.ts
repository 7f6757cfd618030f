import { z } from 'zod';
import { jackyunTradeSpec } from './jackyun-data';
import { rateLimitOption, signedCallOptions, defineSource } from '../common';
import type { SourceDataset } from '../source-dataset';
import { sourceBaseOptionsSchema } from '../source-options.schema';
import type { JackyunReplies } from './jackyun-envelope';
import type { JackyunChannel } from './jackyun.model';

/** Error subCodes. Only 0130020001 / 0130000609 / 0130020327 are confirmed (reference §1.4); the rest are our choice. */
export const JACKYUN_SUBCODES = {
  unknown: '0130020001',
  appNotOpened: '0130000609',
  pageSizeTooLarge: '0130020327',
  missingParam: '0130020003',
  badSign: '0130020004',
  badTimestamp: '0130020005',
  unknownMethod: '0130020006',
  badParam: '0130020007',
  windowTooLong: '0130020008',
  badScrollId: '0130020010',
  notPost: '0130020011',
  throttled: '0130020429',
  notFound: '0130020404',
} as const;

export const jackyunOptionsSchema = sourceBaseOptionsSchema
  .extend({
    ...signedCallOptions(
      { appkey: '12345678', secret: 'DemoSecret' },
      {
        timestampSkewSeconds: 600,
        describe: 'allowed |timestamp - now| (U: our choice)',
      },
    ),
    maxPageSize: z.number().int().min(1).default(200),
    maxWindowDays: z.number().positive().default(7),
    rateLimit: rateLimitOption(
      { default: 5, describe: '0 = unlimited' },
      { default: 0, describe: '0 = unlimited' },
    ),
    dataAsJsonString: z
      .boolean()
      .default(true)
      .describe('order method: result.data is a JSON-encoded string'),
    scrollIdPlacement: z.enum(['data', 'result', 'both']).default('data'),
    scrollIdTtlSeconds: z
      .number()
      .int()
      .min(1)
      .default(600)
      .describe('a scrollId older than this is refused (U: our choice)'),
    emptyScrollIdRate: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe('share of cursor pages answered with an empty scrollId'),
    honourIsDeleteFilter: z
      .boolean()
      .default(false)
      .describe(
        'order method: apply the isDelete filter (production returns deleted rows anyway)',
      ),
    channelCount: z.number().int().min(0).default(24),
    qimenAppKey: z.string().default('demo_jky_qm_key'),
    qimenSecret: z.string().default('demo_jky_qm_secret'),
    qimenTargetAppKey: z.string().default('demo_jky_target'),
    includeChannelGmtModified: z
      .boolean()
      .default(false)
      .describe('erp.sales.get returns gmtCreate/gmtModified'),
  })
  .strict();
export type JackyunOptions = z.input<typeof jackyunOptionsSchema>;

/** The Jackyun simulator's running state: the shared source state (trades) plus channels, replies and cursor pages. */
export interface JackyunContext {
  readonly state: ReturnType<typeof JACKYUN_SOURCE.state>;
  readonly channels: SourceDataset<JackyunChannel>;
  readonly reply: JackyunReplies;
  /** Cursor pages answered since the last reset (drives `emptyScrollIdRate`). */
  cursorPages: number;
}

/** The platform's source simulator: options, main records (and their wire schema), throttle code. */
export const JACKYUN_SOURCE = defineSource(
  jackyunOptionsSchema,
  jackyunTradeSpec,
  JACKYUN_SUBCODES.throttled as string,
);
