import { z } from 'zod';

export const jushuitanCountItemSchema = z.looseObject({
  io_id: z.number().int(),
  ioi_id: z.number().int(),
  sku_id: z.string(),
  i_id: z.string(),
  name: z.string(),
  r_qty: z.number(),
  qty: z.number(),
});
export type JushuitanCountItem = z.infer<typeof jushuitanCountItemSchema>;

export const JUSHUITAN_COUNT_STATUSES = [
  'WaitConfirm',
  'Confirmed',
  'Archive',
  'Cancelled',
  'Delete',
] as const;

/** A stock count (库存盘点单) in the wire shape of `/open/inventory/count/query`. */
export const jushuitanCountSchema = z.looseObject({
  io_id: z.number().int(),
  io_date: z.string(),
  status: z.enum(JUSHUITAN_COUNT_STATUSES),
  warehouse: z.string(),
  wh_id: z.number().int(),
  wms_co_id: z.number().int(),
  remark: z.string(),
  modified: z.string(),
  items: z.array(jushuitanCountItemSchema),
});
export type JushuitanCount = z.infer<typeof jushuitanCountSchema>;
