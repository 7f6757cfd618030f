import { z } from 'zod';

const rate = z.number().min(0).max(1);

/** How long to delay an answer. All delays are real time (setTimeout), not simulator-clock time. */
export const latencySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({ kind: z.literal('fixed'), ms: z.number().int().min(0) }),
  z.object({
    kind: z.literal('uniform'),
    minMs: z.number().int().min(0),
    maxMs: z.number().int().min(0),
  }),
  z.object({
    kind: z.literal('exponential'),
    meanMs: z.number().min(0),
    maxMs: z.number().int().min(0).default(30_000),
  }),
]);
export type Latency = z.infer<typeof latencySchema>;

/**
 * Fault injection settings of one simulator. Rates are per request and mutually exclusive
 * (one draw decides reset / hang / 5xx / platform error / normal, in that order).
 */
export const faultConfigSchema = z.object({
  seed: z
    .number()
    .int()
    .default(1)
    .describe(
      'seed of the fault PRNG (same seed + same requests = same faults)',
    ),
  errorRate: rate
    .default(0)
    .describe(
      "answer with the platform's own error envelope (e.g. 系统繁忙), HTTP 200",
    ),
  http5xxRate: rate
    .default(0)
    .describe('answer HTTP 502/503/500 with a plain-text body'),
  resetRate: rate
    .default(0)
    .describe('destroy the connection before answering'),
  hangRate: rate
    .default(0)
    .describe(
      'never answer (the client must time out); the socket is freed on close()',
    ),
  lostResponseRate: rate
    .default(0)
    .describe(
      'run the handler (the write happens) then destroy the connection: the answer is lost',
    ),
  garbageRate: rate
    .default(0)
    .describe(
      'run the handler, then answer HTTP 200 with a broken body (truncated JSON, an HTML proxy page or nothing)',
    ),
  corruptRecordRate: rate
    .default(0)
    .describe(
      'sources: share of data pages in which one record has its id or time field removed or of the wrong type',
    ),
  duplicateRate: rate
    .default(0)
    .describe(
      'sources: fraction of matching records that show up twice across pages of one query',
    ),
  latency: latencySchema.default({ kind: 'none' }),
  endpoints: z
    .array(z.string())
    .optional()
    .describe(
      'only inject on these endpoints (API method names / paths); all when absent',
    ),
});
export type FaultConfig = z.infer<typeof faultConfigSchema>;
export type FaultConfigInput = z.input<typeof faultConfigSchema>;

export type FaultKind = 'reset' | 'hang' | 'http5xx' | 'error';

/** What the request log records as the fault of a request. */
export type LoggedFault =
  FaultKind | 'lost_response' | 'garbage' | 'corrupt_record';

export type GarbageKind = 'truncated' | 'html' | 'empty';
