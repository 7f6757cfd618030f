import { z } from 'zod';

function isPlainObject(v: unknown): boolean {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
const plainObject = isPlainObject;

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
  v: z.number().optional().describe('source version (modified time, epoch ms)'),
  x: z
    .literal(true)
    .optional()
    .describe('tombstone: the record left the window'),
});

export const windowStateSchema = z.object({
  key: z.string().min(1),
  baseKey: z.string().min(1),
  group: z.array(z.string()),
  start: z.number(),
  end: z.number(),
  status: z.enum(['open', 'emitted', 'failed']),
  correction: z.boolean(),
  createdAt: z.number(),
  lastSeenAt: z.number(),
  emittedAt: z.number().optional(),
  behind: z.boolean().optional(),
  corrections: z.number().int().nonnegative().optional(),
  /** Checked per entry by `checkContribution` (a zod pass over thousands of rows per restore is too slow). */
  records: z.custom<Record<string, unknown>>(
    isPlainObject,
    'expected an object of contributions',
  ),
  /** Source id -> content hash; values checked by `checkEmitted`. */
  emitted: z.custom<Record<string, string>>(
    isPlainObject,
    'expected an object of content hashes',
  ),
});

/**
 * Event time per source partition (`<topic>/<partition>`) of one flow, as `merge_watermark.event_times` holds it:
 * `t` the highest event time read from the partition, `seen` the wall clock of its last read; `resumedAt` when the
 * flow last started reading again after a pause of at least the idle timeout (a restart, a quiet spell).
 */
export const eventTimesSchema = z.object({
  resumedAt: z.number().optional(),
  partitions: z
    .record(
      z.string(),
      z.object({
        t: z.number().describe('highest event time read, epoch ms'),
        seen: z.number().describe('wall clock of the last read, epoch ms'),
      }),
    )
    .default({}),
});

/** Validates merge state read back from storage before it is restored. */
export const mergeStateSnapshotSchema = z.object({
  version: z.literal(1),
  watermark: z.number().nullable(),
  windows: z.array(windowStateSchema),
  eventTimes: eventTimesSchema.optional(),
});

/**
 * Fast structural check of one stored contribution (same rules as
 * `contributionSchema`); returns the problem or undefined.
 */
export function checkContribution(value: unknown): string | undefined {
  if (!plainObject(value)) return 'expected an object';
  const c = value as Record<string, unknown>;
  if (typeof c.h !== 'string' || c.h === '')
    return 'h: expected a content hash';
  if (typeof c.t !== 'number' || !Number.isFinite(c.t))
    return 't: expected epoch ms';
  if (typeof c.f !== 'string') return 'f: expected fetchedAt';
  if (!plainObject(c.header)) return 'header: expected an object';
  if (!Array.isArray(c.rows) || !c.rows.every(plainObject))
    return 'rows: expected a list of objects';
  if (c.o !== undefined && !rawOffsetSchema.safeParse(c.o).success)
    return 'o: expected {topic, partition, offset}';
  if (c.v !== undefined && (typeof c.v !== 'number' || !Number.isFinite(c.v)))
    return 'v: expected a version (epoch ms)';
  if (c.x !== undefined && c.x !== true) return 'x: expected true';
  return undefined;
}

/** Full schema of one contribution (documentation and tests). */
export { contributionSchema };
