import { codedAnswerSchema, sourceRecordWire } from '@kingbridge/source-kit';
import { z } from 'zod';

/** One stock count (盘点单). */
export const jushuitanInventoryCountRecord = sourceRecordWire(
  { id: 'io_id', modified: 'modified', what: 'stock count' },
  { items: z.array(z.unknown()).nullish() },
);

/** `code == 0` is success (200 is a throttle error here). */
export const jushuitanResponseSchema = codedAnswerSchema('msg', {
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
});
