import { z } from 'zod';

const looseString = z.union([z.string(), z.number()]).transform(String);

/** One stock-out order; ids may be numbers or strings. */
export const wdtStockoutSchema = z
  .object({
    stockout_id: looseString,
    order_no: z.string().nullish(),
    modified: z.string(),
  })
  .passthrough();

/** `code == 0` is success; `total_count` is only populated on `page_no = 0`. */
export const wdtResponseSchema = z
  .object({
    code: z.coerce.number().int(),
    message: z.string().nullish(),
    total_count: z.coerce.number().int().nonnegative().nullish(),
    stockout_list: z.array(z.unknown()).nullish(),
  })
  .passthrough();
