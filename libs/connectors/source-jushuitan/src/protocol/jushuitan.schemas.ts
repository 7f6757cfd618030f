import { looseString } from '@kingbridge/source-kit';
import { z } from 'zod';

/** One stock count (盘点单). */
export const jushuitanInventoryCountSchema = z
  .object({
    io_id: looseString,
    modified: z.string(),
    items: z.array(z.unknown()).nullish(),
  })
  .passthrough();

/** `code == 0` is success (200 is a throttle error here). */
export const jushuitanResponseSchema = z
  .object({
    code: z.coerce.number().int(),
    msg: z.string().nullish(),
    data: z
      .object({
        page_index: z.coerce.number().int().optional(),
        page_size: z.coerce.number().int().optional(),
        data_count: z.coerce.number().int().nonnegative().optional(),
        page_count: z.coerce.number().int().nonnegative().optional(),
        has_next: z.boolean().optional(),
        datas: z.array(z.unknown()).nullish(),
      })
      .passthrough()
      .nullish(),
  })
  .passthrough();
