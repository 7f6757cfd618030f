import { z } from 'zod';
import { sourceEntitySchema, sourcePlatformSchema } from '../platform.schema';
import { checkRawRecordFast } from './raw-record.fast-check';

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

/**
 * A request, on a raw topic, to emit again a merged window whose emission was dead-lettered: the value of the
 * transform's window-level dead letter, so replaying that letter (re-publishing its bytes) re-opens the window
 * once the cause is fixed. Key: the window key.
 */
export const windowReplaySchema = z.object({
  kind: z.literal('window-replay').optional(),
  flow: z.string().min(1),
  windowKey: z.string().min(1),
  sourceIds: z.array(z.string()),
});
export type WindowReplay = z.infer<typeof windowReplaySchema>;

/** A value without `schemaVersion` that names a window is a replay request; anything else must be a raw record. */
function looksLikeWindowReplay(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !('schemaVersion' in value) &&
    'windowKey' in value
  );
}

export type RawTopicMessage = RawRecord | WindowReplay;

/** A raw topic value checked by zod alone: the record or replay schema by its shape, issues with their paths. */
function parseRawTopicMessage(
  value: unknown,
  ctx: z.RefinementCtx,
): RawTopicMessage {
  const parsed = looksLikeWindowReplay(value)
    ? windowReplaySchema.safeParse(value)
    : rawRecordSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues)
    ctx.addIssue({ ...issue, code: 'custom', path: [...issue.path] });
  return z.NEVER;
}

/** `rawTopicMessageSchema` without the hand-written fast path (what the fast path is tested against). */
export const rawTopicMessageZodSchema: z.ZodType<RawTopicMessage> = z
  .unknown()
  .transform(parseRawTopicMessage);

/**
 * Every value a raw topic carries: source records and window replay requests. Each is checked against its own
 * schema, so a bad record is reported with the record schema's field paths (not as "no union member matched").
 * A record the hand-written check is sure of skips zod's walk (same output); any other value goes to zod.
 */
export const rawTopicMessageSchema: z.ZodType<RawTopicMessage> = z
  .unknown()
  .transform(
    (value, ctx): RawTopicMessage =>
      checkRawRecordFast(value) ?? parseRawTopicMessage(value, ctx),
  );

export function isWindowReplay(m: RawTopicMessage): m is WindowReplay {
  return !('schemaVersion' in m);
}
