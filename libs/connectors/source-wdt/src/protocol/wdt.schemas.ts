import { looseString } from '@kingbridge/source-kit';
import { z } from 'zod';

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

/**
 * The Qimen (奇门) router's answer (reference §2.7): the WDT body inside
 * `response` with `errorcode`, or a router failure `{flag: 'failure', code, message}`.
 */
export const wdtQimenResponseSchema = z.object({
  response: z
    .object({
      flag: z.string().nullish(),
      errorcode: z.coerce.number().int().nullish(),
      code: z.union([z.string(), z.number()]).nullish(),
      message: z.string().nullish(),
      total_count: z.coerce.number().int().nonnegative().nullish(),
      stockout_list: z.array(z.unknown()).nullish(),
    })
    .passthrough(),
});
