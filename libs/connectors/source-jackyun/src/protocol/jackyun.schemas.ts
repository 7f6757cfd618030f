import { looseString } from '@kingbridge/source-kit';
import { z } from 'zod';

/** Gateway envelope: `code == 200` is success; errors carry `subCode` and `msg`. */
export const jackyunEnvelopeSchema = z.object({
  code: z.union([z.number(), z.string()]),
  msg: z.string().nullish(),
  subCode: z.union([z.string(), z.number()]).nullish(),
  result: z
    .object({
      data: z.unknown(),
      contextId: looseString.nullish(),
      scrollId: z.string().nullish(),
    })
    .passthrough()
    .nullish(),
});
export type JackyunEnvelope = z.infer<typeof jackyunEnvelopeSchema>;

/** One order of `jackyun.tradenotsensitiveinfos.list.get`: keys PascalCase (direct gateway) or camelCase (Qimen). */
export const jackyunTradeSchema = z
  .object({
    TradeId: looseString.optional(),
    tradeId: looseString.optional(),
    TradeNo: looseString.optional(),
    tradeNo: looseString.optional(),
    GmtModified: z.string().nullish(),
    gmtModified: z.string().nullish(),
  })
  .passthrough()
  .refine(
    (t) => (t.TradeId ?? t.tradeId ?? t.TradeNo ?? t.tradeNo) !== undefined,
    {
      message: 'TradeId (or tradeId/TradeNo) is required',
      path: ['TradeId'],
    },
  );

export const jackyunTradePageSchema = z
  .object({
    TotalResults: z.coerce.number().int().nonnegative().optional(),
    totalResults: z.coerce.number().int().nonnegative().optional(),
    ScrollId: z.string().nullish(),
    scrollId: z.string().nullish(),
    Trades: z.array(jackyunTradeSchema).nullish(),
    trades: z.array(jackyunTradeSchema).nullish(),
  })
  .passthrough();

/** One sales channel (shop) of `erp.sales.get`. */
export const jackyunChannelSchema = z
  .object({
    channelId: looseString,
    channelCode: z.string().nullish(),
    gmtModified: z.string().nullish(),
  })
  .passthrough();

export const jackyunChannelPageSchema = z
  .object({
    salesChannelInfo: z.array(jackyunChannelSchema).nullish(),
    totalResults: z.coerce.number().int().nonnegative().optional(),
  })
  .passthrough();
