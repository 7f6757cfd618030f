import { z } from 'zod';
import { sourceEntitySchema, sourcePlatformSchema } from '../platform.schema';

/**
 * Value of every raw topic: one source record as the platform returned it,
 * wrapped in an envelope. Key: `sourceId`.
 * Consumers are idempotent on (platform, entity, sourceId, contentHash).
 */
export const rawRecordSchema = z.object({
  schemaVersion: z.literal(1),
  platform: sourcePlatformSchema,
  entity: sourceEntitySchema,
  /** Stream id from the sync plan (platform + query), e.g. `jackyun.sales-order.shipped`. */
  stream: z.string().min(1),
  /** The platform's id of the record (big ids kept as strings). */
  sourceId: z.string().min(1),
  /** The record's modified time at the source, ISO-8601 with offset. */
  modifiedAt: z.string().datetime({ offset: true }),
  /** sha256 hex of the canonical JSON of `payload`. */
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
  payload: z.record(z.string(), z.unknown()),
  /** Id of the connector run (incremental, remediation or backfill) that fetched it. */
  runId: z.string().min(1),
  fetchedAt: z.string().datetime({ offset: true }),
});
export type RawRecord = z.infer<typeof rawRecordSchema>;
