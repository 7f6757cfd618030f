import { codedAnswerSchema, sourceRecordWire } from '@kingbridge/source-kit';
import { z } from 'zod';

/** One stock-out order; ids may be numbers or strings. */
export const wdtStockoutRecord = sourceRecordWire(
  { id: 'stockout_id', modified: 'modified', what: 'stockout' },
  { order_no: z.string().nullish() },
);

/** `code == 0` is success; `total_count` is only populated on `page_no = 0`. */
export const wdtResponseSchema = codedAnswerSchema('message', {
  total_count: z.coerce.number().int().nonnegative().nullish(),
  stockout_list: z.array(z.unknown()).nullish(),
});

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
