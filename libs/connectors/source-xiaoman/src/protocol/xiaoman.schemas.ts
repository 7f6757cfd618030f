import { codedAnswerSchema, sourceRecordWire } from '@kingbridge/source-kit';
import { z } from 'zod';

/** `POST /v1/oauth2/access_token` answer; client_credentials may omit `expires_in`. */
export const xiaomanTokenSchema = z
  .object({
    access_token: z.string().min(1),
    token_type: z.string().optional(),
    expires_in: z.coerce.number().int().positive().optional(),
  })
  .passthrough();

/** One order of `/v1/invoices/order/list` (and of `/info`). */
export const xiaomanOrderRecord = sourceRecordWire(
  { id: 'order_id', modified: 'update_time' },
  { order_no: z.string().nullish() },
);

/** `code == 200` is success; `data.count` is the total of the query. */
export const xiaomanListResponseSchema = codedAnswerSchema('message', {
  data: z
    .object({
      count: z.coerce.number().int().nonnegative().optional(),
      list: z.array(z.unknown()).nullish(),
    })
    .passthrough()
    .nullish(),
});

/** `GET /v1/invoices/order/info`: one order with `product_list`. */
export const xiaomanInfoResponseSchema = codedAnswerSchema('message', {
  data: z.unknown(),
});
