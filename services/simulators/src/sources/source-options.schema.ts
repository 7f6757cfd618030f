import { z } from 'zod';
import { faultConfigSchema } from '../common';

/** Options every source simulator accepts (scenario file section or programmatic options). */
export const sourceBaseOptionsSchema = z.object({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(0),
  adminEnabled: z.boolean().default(false).describe('serve /__admin/*'),
  seed: z.number().int().default(42).describe('seed of the generated data'),
  initialRecords: z
    .number()
    .int()
    .min(0)
    .default(300)
    .describe('records generated at start'),
  anchor: z
    .union([
      z.number(),
      z.string().transform((s, ctx) => {
        const ms = Date.parse(s);
        if (Number.isNaN(ms)) {
          ctx.addIssue({ code: 'custom', message: 'not a date' });
          return z.NEVER;
        }
        return ms;
      }),
    ])
    .optional()
    .describe(
      'end of the generated history (ISO date or epoch ms); default: the clock at start',
    ),
  historyDays: z
    .number()
    .positive()
    .default(10)
    .describe('span of the generated history'),
  arrivalsPerMinute: z
    .number()
    .min(0)
    .default(0)
    .describe('new records per minute (simulator clock)'),
  modificationsPerMinute: z
    .number()
    .min(0)
    .default(0)
    .describe('modified records per minute'),
  queryCostMsPerThousand: z
    .number()
    .min(0)
    .default(0)
    .describe(
      'extra latency per 1000 records matched by a data query (wide windows get slow, as in production)',
    ),
  driftPerPage: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe('records of the current query modified after each page answered'),
  fixturesFile: z
    .string()
    .optional()
    .describe(
      'NDJSON file of records in the wire shape, instead of generated data',
    ),
  faults: faultConfigSchema.prefault({}),
});
export type SourceBaseOptions = z.infer<typeof sourceBaseOptionsSchema>;

/** Programmatic-only options (not in scenario files). */
export interface RuntimeOptions<T> {
  /** Simulator clock (ms); default Date.now. Drives timestamps checks, rate limits and data life. */
  clock?: () => number;
  /** Records to load instead of generated ones (wire shape). */
  fixtures?: T[];
}
