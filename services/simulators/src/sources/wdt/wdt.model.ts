import { z } from 'zod';

export const wdtStockoutDetailSchema = z.looseObject({
  rec_id: z.number().int(),
  goods_no: z.string(),
  spec_no: z.string(),
  goods_count: z.string(),
  sell_price: z.string(),
  gift_type: z.number().int(),
});
export type WdtStockoutDetail = z.infer<typeof wdtStockoutDetailSchema>;

/** A sales stock-out order in the wire shape of `stockout_order_query_trade.php`. */
export const wdtStockoutSchema = z.looseObject({
  stockout_id: z.number().int(),
  order_no: z.string(),
  src_order_no: z.string(),
  status: z.number().int(),
  consign_time: z.string(),
  modified: z.string(),
  shop_no: z.string(),
  warehouse_no: z.string(),
  details_list: z.array(wdtStockoutDetailSchema),
});
export type WdtStockout = z.infer<typeof wdtStockoutSchema>;

/** WDT's "no date" value. */
export const WDT_NO_DATE = '0000-00-00 00:00:00';
