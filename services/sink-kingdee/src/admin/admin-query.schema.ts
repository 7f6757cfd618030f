import { BadRequestException } from '@nestjs/common';
import { z } from 'zod';
import type { DeadLetterFilter } from '../dead-letters/dead-letter.repository';

/** Selectors of `GET /admin/dead-letters` and `POST /admin/replay` (the options of `kingbridge dlq list|replay sink`). */
export const deadLetterSelectorSchema = z
  .object({
    flow: z.string().min(1).optional(),
    errorClass: z.string().min(1).optional(),
    since: z.string().datetime({ offset: true }).optional(),
    until: z.string().datetime({ offset: true }).optional(),
    key: z.string().min(1).optional(),
    sourceId: z.string().min(1).optional(),
    status: z.enum(['open', 'replayed', 'resolved', 'all']).optional(),
    limit: z.coerce.number().int().positive().max(10000).optional(),
  })
  .strict();
export type DeadLetterSelector = z.infer<typeof deadLetterSelectorSchema>;

export const documentKeyParamSchema = z.string().min(1).max(512);
export const traceQuerySchema = z
  .object({ sourceId: z.string().min(1).max(512) })
  .strict();

/** Parses an HTTP input; a failure answers 400 naming every field path. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({
    path: i.path.join('.') || '(root)',
    message: i.message,
  }));
  throw new BadRequestException({
    statusCode: 400,
    error: 'Bad Request',
    message: issues.map((i) => `${i.path}: ${i.message}`).join('; '),
    issues,
  });
}

export function toFilter(s: DeadLetterSelector): DeadLetterFilter {
  return {
    ...(s.flow ? { flow: s.flow } : {}),
    ...(s.errorClass ? { errorClass: s.errorClass } : {}),
    ...(s.since ? { since: new Date(s.since) } : {}),
    ...(s.until ? { until: new Date(s.until) } : {}),
    ...(s.key ? { key: s.key } : {}),
    ...(s.sourceId ? { sourceId: s.sourceId } : {}),
    ...(s.status ? { status: s.status } : {}),
    ...(s.limit ? { limit: s.limit } : {}),
  };
}
