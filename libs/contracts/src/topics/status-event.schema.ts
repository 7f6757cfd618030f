import { z } from 'zod';
import { documentIdentityShape } from './document-identity.schema';
import { CHANGE_AFTER_WRITE_RULES } from './outbound-document.schema';

/**
 * What became of a document that changed (or was withdrawn) after it was written, by the plan's rule: a write
 * outcome and a change (`changed_after_write`, `updated`, `reversed`).
 */
const AFTER_WRITE = Object.values(CHANGE_AFTER_WRITE_RULES).filter(
  (change) => change !== undefined,
);

export const writeOutcomeSchema = z.enum([
  /** Written to Kingdee (this attempt or verified as already present). */
  'written',
  /** Already written earlier according to the ledger: not sent again. */
  'duplicate_skipped',
  /** Permanently failed and dead-lettered; replayable. */
  'dead_lettered',
  /** A transient failure; the sink will retry. */
  'retrying',
  ...AFTER_WRITE,
]);
export type WriteOutcome = z.infer<typeof writeOutcomeSchema>;

/**
 * What a document does about a source record that changed after it was written (a bounded metric label):
 * `corrected` — a correction (delta) document of a merged window: negative lines for what left, positive for
 * what arrived; `changed_after_write` — a non-merged document that arrived again with another payload, held as a
 * dead letter with both versions (replayable: the replay updates the written bill where the target allows it);
 * `updated` — the plan's rule `update` saved the new version over the written bill; `reversed` — the plan's rule
 * `reverse` wrote a reversal bill (and, unless the record was withdrawn, the new version as a new bill: its status
 * event is `written` with change `reversed`).
 */
export const documentChangeSchema = z.enum(['corrected', ...AFTER_WRITE]);
export type DocumentChange = z.infer<typeof documentChangeSchema>;

/** The change a write outcome reports by itself: an after-write rule's outcome (`updated`, …) is its own change. */
export function changeOfOutcome(
  outcome: WriteOutcome,
): DocumentChange | undefined {
  return AFTER_WRITE.find((change) => change === outcome);
}

/** Bounded set of error classes (used as a metric label). */
export const errorClassSchema = z.enum([
  'validation',
  'missing_base_data',
  'duplicate_number',
  /** The bill number is used in Kingdee by a different document (a colliding template or a bill entered by hand). */
  'duplicate_number_conflict',
  /** The document changed after it was written: not sent again, held with both versions for an operator. */
  'changed_after_write',
  'session_lost',
  'concurrency_limit',
  'throttled',
  'network',
  'timeout',
  'server_error',
  'bad_response',
  'auth',
  'mapping',
  'lookup',
  'schema',
  'unknown',
]);
export type ErrorClass = z.infer<typeof errorClassSchema>;

/** Value of the status topic, one per outbound document outcome. Key: documentKey. */
export const statusEventSchema = z.object({
  ...documentIdentityShape,
  billNo: z.string().min(1),
  outcome: writeOutcomeSchema,
  kingdeeId: z.string().optional(),
  kingdeeNumber: z.string().optional(),
  attempts: z.number().int().nonnegative(),
  /** Source fetch to Kingdee write, in milliseconds (successes only). */
  latencyMs: z.number().nonnegative().optional(),
  errorClass: errorClassSchema.optional(),
  /** Kingdee's own message, kept verbatim (secrets never appear here). */
  errorMessage: z.string().optional(),
  sourceIds: z.array(z.string()),
  /** Set when the document is about a change after write (see documentChangeSchema). */
  change: documentChangeSchema.optional(),
  at: z.string().datetime({ offset: true }),
});
export type StatusEvent = z.infer<typeof statusEventSchema>;
