import { z } from 'zod';

const rate = z.number().min(0).max(1);

export const latencySchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('none') }),
    z.object({ kind: z.literal('fixed'), ms: z.number().min(0) }),
    z.object({
      kind: z.literal('uniform'),
      minMs: z.number().min(0),
      maxMs: z.number().min(0),
    }),
    z.object({
      kind: z.literal('normal'),
      meanMs: z.number().min(0),
      stdDevMs: z.number().min(0),
    }),
    z.object({
      kind: z.literal('lognormal'),
      medianMs: z.number().min(0),
      sigma: z.number().min(0),
    }),
    z.object({
      kind: z.literal('exponential'),
      meanMs: z.number().min(0),
      maxMs: z.number().min(0).default(30_000),
    }),
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
    'over-limit',
  ])
  .describe(
    'error: the platform business error envelope; http-5xx: HTTP 503 text; html-error: HTTP 502 HTML page; ' +
      'empty-body: HTTP 200 with no body; reset: socket destroyed before handling; hang: never answered; ' +
      'lost-response: the request is handled (the write is stored) and then the answer is lost (reset or hang); ' +
      'over-limit: the platform over-limit answer (K3Cloud MsgCode 14, JDY 429, WISE 503) without handling',
  );
export type FaultKind = z.infer<typeof faultKindSchema>;

export const queuedFaultSchema = z.object({
  fault: faultKindSchema,
  pathContains: z
    .string()
    .optional()
    .describe(
      'Only requests whose path contains this (case-insensitive) consume the entry',
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

export const faultConfigSchema = z.object({
  seed: z
    .number()
    .int()
    .optional()
    .describe('Re-seeds the fault/latency PRNG when set'),
  errorRate: rate
    .default(0)
    .describe('Share of requests answered with the platform business error'),
  http5xxRate: rate.default(0).describe('Share answered HTTP 503'),
  htmlErrorRate: rate
    .default(0)
    .describe('Share answered HTTP 502 with an HTML page'),
  emptyBodyRate: rate
    .default(0)
    .describe('Share answered HTTP 200 with an empty body'),
  resetRate: rate
    .default(0)
    .describe('Share whose connection is reset before handling'),
  hangRate: rate.default(0).describe('Share never answered'),
  lostResponseRate: rate
    .default(0)
    .describe('Share handled (written) whose answer is then lost'),
  lostResponseMode: z
    .enum(['reset', 'hang'])
    .default('reset')
    .describe('How a lost answer is lost'),
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
      'Like pathContains, any of several path fragments (same key as the source simulators use)',
    ),
  latency: latencySchema.default({ kind: 'none' }),
  queue: z
    .array(queuedFaultSchema)
    .default([])
    .describe('Deterministic faults for the next matching requests'),
});
export type FaultConfig = z.infer<typeof faultConfigSchema>;
export type FaultConfigInput = z.input<typeof faultConfigSchema>;
