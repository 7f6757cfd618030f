import { z } from 'zod';

/**
 * Value of every `<topic>.dlq` topic. Keeps the original bytes so a replay
 * re-publishes exactly what failed. Key: the original key.
 */
export const deadLetterSchema = z.object({
  schemaVersion: z.literal(1),
  /** Service that dead-lettered the message. */
  service: z.string().min(1),
  flow: z.string().optional(),
  originalTopic: z.string().min(1),
  partition: z.number().int().nonnegative(),
  offset: z.string(),
  /** Original key and value, base64 (null when absent). */
  key: z.string().nullable(),
  value: z.string().nullable(),
  headers: z.record(z.string(), z.string()).default({}),
  errorClass: z.string().min(1),
  errorMessage: z.string(),
  /** Path of the offending field, when known (zod path or mapping path). */
  fieldPath: z.string().optional(),
  firstFailedAt: z.string().datetime({ offset: true }),
  lastFailedAt: z.string().datetime({ offset: true }),
  attempts: z.number().int().positive(),
});
export type DeadLetter = z.infer<typeof deadLetterSchema>;
