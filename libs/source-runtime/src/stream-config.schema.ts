import {
  sourceEntityIdSchema,
  sourcePlatformIdSchema,
} from '@kingbridge/source-registry';
import { z } from 'zod';
import { parseCron } from './cron.util';

const paramValueSchema = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.array(z.union([z.string(), z.number()])),
]);

/** Why a cron cannot schedule anything (bad field, never fires), or undefined when it can. */
function cronProblem(expression: string): string | undefined {
  try {
    parseCron(expression).next(new Date());
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * One stream: a platform + entity + source-side query, as a sync plan asks
 * for it. `params` are sent to the platform as-is (e.g. WDT `status: 95`,
 * Jackyun `companyCode: DSGL` or `tradeStatusList`), so filtering happens
 * at the source.
 */
export const sourceStreamSchema = z.object({
  id: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9._-]*$/,
      'lower-case letters, digits, dot, dash, underscore',
    )
    .describe(
      'stream id, unique across plans, e.g. jackyun.sales-order.shipped',
    ),
  platform: sourcePlatformIdSchema,
  entity: sourceEntityIdSchema,
  params: z
    .record(z.string(), paramValueSchema)
    .default({})
    .describe('source-side filters and query params'),
  exitQueries: z
    .array(z.record(z.string(), paramValueSchema))
    .optional()
    .describe(
      "more queries on each window, for records that left the plan's filter (the plan's source.filterExit.query, " +
        'e.g. WDT status=5): each one is `params` with these replaced; a window is done (checkpoint, backfill ' +
        'progress) only after every query of it was read and acked',
    ),
  timeParams: z
    .object({ from: z.string().min(1), to: z.string().min(1) })
    .optional()
    .describe(
      'names of the window start/end params (default per platform: the modified-time pair)',
    ),
  pageSize: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('page size (clamped to the platform maximum)'),
  maxWindowMinutes: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('window length cap (≤ platform max)'),
  pollIntervalSeconds: z
    .number()
    .int()
    .positive()
    .optional()
    .describe(
      'pause between incremental runs (default: the service POLL_INTERVAL_MS)',
    ),
  remediationCron: z
    .string()
    .default('0 0 * * *')
    .superRefine((expression, ctx) => {
      const problem = cronProblem(expression);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe('cron of the remediation scan (Asia/Shanghai)'),
  remediationDays: z
    .number()
    .int()
    .positive()
    .max(90)
    .default(7)
    .describe('days re-queried by a remediation scan'),
  startFrom: z
    .string()
    .datetime({ offset: true })
    .optional()
    .describe('first checkpoint when the stream has none'),
  initialSync: z
    .enum(['full', 'window'])
    .optional()
    .describe(
      "first sync of a stream without checkpoint: 'full' lists every record (master data; the default for " +
        "sales-channel), 'window' reads from startFrom / INITIAL_SYNC_FROM / now − INITIAL_LOOKBACK_MS (the default)",
    ),
});

/** Entities that are master data: a stream of them starts with a full scan unless it says otherwise. */
export const MASTER_DATA_ENTITIES: ReadonlySet<string> = new Set([
  'sales-channel',
]);

/** How a stream without checkpoint starts (its own `initialSync`, else by entity). */
export function initialSyncOf(stream: {
  readonly entity: string;
  readonly initialSync?: 'full' | 'window' | undefined;
}): 'full' | 'window' {
  return (
    stream.initialSync ??
    (MASTER_DATA_ENTITIES.has(stream.entity) ? 'full' : 'window')
  );
}
export type SourceStream = z.infer<typeof sourceStreamSchema>;
export type SourceStreamInput = z.input<typeof sourceStreamSchema>;
