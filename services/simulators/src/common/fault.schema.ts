import { z } from 'zod';

const rate = z.number().min(0).max(1);

const ms = z.number().min(0);

/** One latency distribution: its `kind` and its parameters. */
function distribution<K extends string, P extends z.ZodRawShape>(
  kind: K,
  params: P,
) {
  return z.object({ kind: z.literal(kind), ...params });
}

/** How long to delay an answer. All delays are real time (setTimeout), not simulator-clock time. */
export const latencySchema = z
  .discriminatedUnion('kind', [
    distribution('none', {}),
    distribution('fixed', { ms }),
    distribution('uniform', { minMs: ms, maxMs: ms }),
    distribution('normal', { meanMs: ms, stdDevMs: ms }),
    distribution('lognormal', { medianMs: ms, sigma: ms }),
    distribution('exponential', { meanMs: ms, maxMs: ms.default(30_000) }),
  ])
  .describe(
    'Server-side latency added to every non-admin request before it is handled',
  );
export type LatencyConfig = z.infer<typeof latencySchema>;

export const faultKindSchema = z
  .enum([
    'error',
    'http-5xx',
    'html-error',
    'empty-body',
    'reset',
    'hang',
    'lost-response',
    'garbage',
    'over-limit',
  ])
  .describe(
    "error: the platform's own error envelope (e.g. 系统繁忙); http-5xx: HTTP 500/502/503 plain text; " +
      "html-error: HTTP 502 with the platform's proxy HTML page; empty-body: HTTP 200 with no body; " +
      'reset: socket destroyed before handling; hang: never answered; lost-response: the request is handled ' +
      '(the write is stored) and then the answer is lost (reset or hang); garbage: handled, then HTTP 200 with a ' +
      'broken body (truncated JSON, an HTML proxy page or nothing); over-limit: the platform over-limit answer ' +
      '(K3Cloud MsgCode 14, JDY 429, WISE 503) without handling',
  );
export type FaultKind = z.infer<typeof faultKindSchema>;

/** What the request log records as the fault of a request (a handler may report `corrupt-record` itself). */
export type LoggedFault = FaultKind | 'corrupt-record';

export type GarbageKind = 'truncated' | 'html' | 'empty';

export const queuedFaultSchema = z.object({
  fault: faultKindSchema,
  pathContains: z
    .string()
    .optional()
    .describe(
      'Only requests whose path or endpoint contains this (case-insensitive) consume the entry',
    ),
  count: z
    .number()
    .int()
    .min(1)
    .default(1)
    .describe('How many matching requests get this fault'),
  skip: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe(
      'Matching requests let through untouched before this entry fires (e.g. fault the 4th BatchSave)',
    ),
});
export type QueuedFault = z.infer<typeof queuedFaultSchema>;

/**
 * Fault injection settings of every simulator (sources and Kingdee targets). Rates are per request and
 * mutually exclusive: one draw decides reset / hang / 5xx / HTML page / empty body / platform error /
 * lost response / garbage / normal, in that order. Queued faults fire first, deterministically.
 */
export const faultConfigSchema = z.object({
  seed: z
    .number()
    .int()
    .optional()
    .describe(
      "seed of the fault PRNG (same seed + same requests = same faults); default: the simulator's seed",
    ),
  errorRate: rate
    .default(0)
    .describe(
      "answer with the platform's own error envelope (e.g. 系统繁忙), HTTP 200",
    ),
  http5xxRate: rate
    .default(0)
    .describe('answer HTTP 502/503/500 with a plain-text body'),
  htmlErrorRate: rate
    .default(0)
    .describe("answer HTTP 502 with the platform's proxy HTML page"),
  emptyBodyRate: rate
    .default(0)
    .describe('answer HTTP 200 with an empty body, without handling'),
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
      'run the handler (the write happens) then lose the answer (see lostResponseMode)',
    ),
  lostResponseMode: z
    .enum(['reset', 'hang'])
    .default('reset')
    .describe('How a lost answer is lost'),
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
  pathContains: z
    .string()
    .optional()
    .describe(
      'Rates apply only to paths containing this (case-insensitive); queued faults have their own',
    ),
  endpoints: z
    .array(z.string())
    .optional()
    .describe(
      'only inject on these endpoints (API method names, or fragments of the path, case-insensitive); all when absent',
    ),
  queue: z
    .array(queuedFaultSchema)
    .default([])
    .describe('Deterministic faults for the next matching requests'),
});
export type FaultConfigInput = z.input<typeof faultConfigSchema>;
/** A parsed fault config with its seed resolved. */
export type FaultConfig = z.infer<typeof faultConfigSchema> & { seed: number };
