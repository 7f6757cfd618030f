import { z } from 'zod';
import { xiaomanOrderSpec } from './xiaoman-data';
import { rateLimitOption, defineSource } from '../common';
import type { SourceAdminApi } from '../source-admin';
import type { SourceSimulator } from '../source-kit';
import { sourceBaseOptionsSchema } from '../source-options.schema';

export const xiaomanOptionsSchema = sourceBaseOptionsSchema
  .extend({
    clientId: z.string().default('okki_client_id'),
    clientSecret: z.string().default('okki_client_secret'),
    tokenTtlSeconds: z.number().int().min(1).default(28_800),
    maxCount: z
      .number()
      .int()
      .min(1)
      .default(500)
      .describe('max page size (`count`); U, 500 observed'),
    maxWindowDays: z
      .number()
      .positive()
      .nullable()
      .default(null)
      .describe('max start/end span; none documented'),
    rateLimit: rateLimitOption(
      { default: 10, describe: 'U: our choice; 0 = unlimited' },
      { default: 0 },
    ),
  })
  .strict();
export type XiaomanOptions = z.input<typeof xiaomanOptionsSchema>;

/** Xiaoman admin API: the source admin plus token revocation (-> 401 on the next call). */
export interface XiaomanAdminApi extends SourceAdminApi {
  revokeTokens(): number;
}

export interface XiaomanSimulator extends Omit<SourceSimulator, 'admin'> {
  admin: XiaomanAdminApi;
}

/** The platform's source simulator: options, main records (and their wire schema), throttle code. */
export const XIAOMAN_SOURCE = defineSource(
  xiaomanOptionsSchema,
  xiaomanOrderSpec,
  429,
);

/** The simulator's running state. */
export type XiaomanState = ReturnType<typeof XIAOMAN_SOURCE.state>;
