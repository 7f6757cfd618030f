import { z } from 'zod';

const rawOffsetSchema = z.object({
  topic: z.string(),
  partition: z.number().int().nonnegative(),
  offset: z.string(),
});

const contributionSchema = z.object({
  h: z.string().min(1).describe('content hash of the record version counted'),
  t: z.number().describe('event time, epoch ms'),
  f: z.string().describe('fetchedAt of the record'),
  header: z
    .record(z.string(), z.unknown())
    .describe('header keys the mapping reads'),
  rows: z
    .array(z.record(z.string(), z.unknown()))
    .describe('detail rows (keys the merge and mapping read)'),
  o: rawOffsetSchema.optional().describe('raw topic coordinates, for lineage'),
});

export const windowStateSchema = z.object({
  key: z.string().min(1),
  baseKey: z.string().min(1),
  group: z.array(z.string()),
  start: z.number(),
  end: z.number(),
  status: z.enum(['open', 'emitted']),
  correction: z.boolean(),
  createdAt: z.number(),
  lastSeenAt: z.number(),
  emittedAt: z.number().optional(),
  records: z.record(z.string(), contributionSchema),
  emitted: z.record(z.string(), z.string()),
});

/** Validates merge state read back from storage before it is restored. */
export const mergeStateSnapshotSchema = z.object({
  version: z.literal(1),
  watermark: z.number().nullable(),
  windows: z.array(windowStateSchema),
});
