import { z } from 'zod';

export const xiaomanProductLineSchema = z.looseObject({
  unique_id: z.number().int(),
  product_no: z.string(),
  product_name: z.string(),
  count: z.number(),
  unit_price: z.number(),
});
export type XiaomanProductLine = z.infer<typeof xiaomanProductLineSchema>;

/**
 * A CRM sales order as stored: the list fields (reference §4.3) plus `product_list` (only returned by
 * `/v1/invoices/order/info`) and `delete_time` ('' unless removed).
 */
export const xiaomanOrderSchema = z.looseObject({
  order_id: z.number().int(),
  order_no: z.string(),
  account_date: z.string(),
  currency: z.string(),
  exchange_rate: z.number(),
  amount: z.number(),
  status: z.number().int(),
  create_time: z.string(),
  update_time: z.string(),
  delete_time: z.string(),
  product_list: z.array(xiaomanProductLineSchema),
});
export type XiaomanOrder = z.infer<typeof xiaomanOrderSchema>;

/** Tenant-specific order status ids (as `/v1/invoices/order/orderEnums` returns them). */
export const XIAOMAN_ORDER_STATUSES = [
  { code: 13972831654, name: '草稿' },
  { code: 13972831655, name: '待审核' },
  { code: 13972831656, name: '已确认' },
  { code: 13972831657, name: '已发货' },
  { code: 13972831658, name: '已完成' },
] as const;

/** CNY per unit of currency, and USD per unit of currency. */
export const XIAOMAN_EXCHANGE_RATES: Readonly<
  Record<string, { cny: number; usd: number }>
> = {
  USD: { cny: 7.1826, usd: 1 },
  EUR: { cny: 7.8412, usd: 1.0917 },
  GBP: { cny: 9.1305, usd: 1.2712 },
  CNY: { cny: 1, usd: 0.1392 },
};
