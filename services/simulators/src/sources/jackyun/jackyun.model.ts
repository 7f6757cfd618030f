import { z } from 'zod';

/** One goods line of a trade, camelCase as stored (the order method emits PascalCase keys). */
export const jackyunGoodsLineSchema = z.looseObject({
  subTradeId: z.string(),
  goodsId: z.string(),
  goodsNo: z.string(),
  goodsName: z.string(),
  specName: z.string(),
  barcode: z.string(),
  sellCount: z.number(),
  sellPrice: z.number(),
  sellTotal: z.number(),
  shareFavourableFee: z.number(),
  shareFavourableAfterFee: z.number(),
  divideSellTotal: z.number(),
  isGift: z.number().int(),
});
export type JackyunGoodsLine = z.infer<typeof jackyunGoodsLineSchema>;

/** A sales trade as stored (camelCase, times `yyyy-MM-dd HH:mm:ss` Beijing, ids as decimal strings). */
export const jackyunTradeSchema = z.looseObject({
  tradeId: z.string().regex(/^\d+$/),
  tradeNo: z.string(),
  tradeStatus: z.number().int(),
  tradeType: z.number().int(),
  shopId: z.string(),
  shopName: z.string(),
  shopcode: z.string(),
  warehouseId: z.string(),
  warehouseName: z.string(),
  warehouseCode: z.string(),
  consignTime: z.string().nullable(),
  tradeTime: z.string(),
  auditTime: z.string().nullable(),
  gmtCreate: z.string(),
  gmtModified: z.string(),
  isDelete: z.number().int(),
  goodsDetail: z.array(jackyunGoodsLineSchema),
});
export type JackyunTrade = z.infer<typeof jackyunTradeSchema>;

/** A sales channel (shop) as returned by erp.sales.get. `channelId` is a 64-bit id (bigint on the wire). */
export const jackyunChannelSchema = z.looseObject({
  channelId: z.union([
    z.bigint(),
    z
      .string()
      .regex(/^\d+$/)
      .transform((s) => BigInt(s)),
  ]),
  channelCode: z.string(),
  channelName: z.string(),
  companyCode: z.string(),
  isBlockup: z.number().int(),
  isDelete: z.number().int(),
});
export type JackyunChannel = z.infer<typeof jackyunChannelSchema>;
