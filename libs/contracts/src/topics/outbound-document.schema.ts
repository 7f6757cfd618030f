import { z } from 'zod';
import { sourcePlatformSchema } from '../platform.schema';
import { documentIdentityShape } from './document-identity.schema';

/** Where an outbound document came from: the source records it was built of. */
export const lineageSchema = z.object({
  platform: sourcePlatformSchema,
  stream: z.string().min(1),
  sourceIds: z.array(z.string().min(1)).min(1),
  /** Earliest `fetchedAt` among the source records: start of the source-to-Kingdee latency. */
  firstFetchedAt: z.string().datetime({ offset: true }),
  /** Raw topic coordinates of the records (for record trace). */
  rawOffsets: z
    .array(
      z.object({
        topic: z.string(),
        partition: z.number().int().nonnegative(),
        offset: z.string(),
      }),
    )
    .default([]),
});
export type Lineage = z.infer<typeof lineageSchema>;

/**
 * What the sink does with a per-record document that changed (or was withdrawn) after it was written (the plan's
 * changeAfterWrite), each rule with the change its status event reports (`documentChangeSchema`).
 */
export const CHANGE_AFTER_WRITE_RULES = {
  /** Default: not sent, held as a dead letter with both versions and a diff. */
  dead_letter: 'changed_after_write',
  /** Kingdee is kept as it is (only logged: no change reported). */
  skip: undefined,
  /** The written bill is saved over in place (K3Cloud Save with its FID). */
  update: 'updated',
  /** A reversal (红字) bill negating the written version (then the new version as a new bill). */
  reverse: 'reversed',
} as const;
export type ChangeAfterWrite = keyof typeof CHANGE_AFTER_WRITE_RULES;
export const changeAfterWriteSchema = z.enum(
  Object.keys(CHANGE_AFTER_WRITE_RULES) as ChangeAfterWrite[],
);

/**
 * Value of the outbound topics: one document ready for a Kingdee save call.
 * Key: `documentKey`. `documentKey` and `billNo` are deterministic, so a
 * re-emitted document is the same document and the sink's ledger dedups it.
 */
export const outboundDocumentSchema = z.object({
  ...documentIdentityShape,
  /** Save | BatchSave | the JDY/K3 WISE operation name. */
  operation: z.string().min(1),
  /** Target-specific flags from the plan: IsAutoSubmitAndAudit, IsVerifyBaseDataField, ... */
  options: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .default({}),
  /** Bill number (or base-data number) used to verify existence in Kingdee. */
  billNo: z.string().min(1),
  /** The plan's target.idCheck: before the first write, the sink asks Kingdee whether billNo exists. */
  idCheck: z.boolean().optional(),
  /**
   * The plan's rule for a document that arrives again with another payload (or withdrawn) after it was written:
   * `dead_letter` (default) holds it with both versions and a diff; `skip` keeps Kingdee as it is (logged);
   * `update` saves the new version over the written bill (K3Cloud: Save with its FID); `reverse` writes a reversal
   * (`<billNo>-R<n>`, negating `reversal.negate`) and then the new version as a new bill (`<billNo>-V<n+1>`).
   */
  changeAfterWrite: changeAfterWriteSchema.optional(),
  /** `update` on an audited K3Cloud bill: UnAudit, Save, Submit, Audit (the plan's target.unauditToUpdate). */
  unauditToUpdate: z.boolean().optional(),
  /** `reverse`: the fields a reversal negates, dotted paths into the document (`FEntity.FRealQty`: every entry row). */
  reversal: z.object({ negate: z.array(z.string().min(1)).min(1) }).optional(),
  /** Max rows per Kingdee request for this flow (the plan's `rows`). */
  batchRows: z.number().int().positive().max(1000).default(20),
  /** The document body as the target API expects it (the `Model` for K3Cloud). */
  document: z.record(z.string(), z.unknown()),
  lineage: lineageSchema,
  /**
   * Set when the source record left the plan's filter (cancelled, status moved on) after a version of it may have
   * been written (per-record flows). The sink applies the plan's changeAfterWrite rule when its ledger holds the
   * document and ignores it otherwise; it never writes a withdrawn document as a new one. `document` is the record
   * mapped as if it still passed the filter (`{}` when it cannot be mapped).
   */
  withdrawn: z.object({ reason: z.string().min(1) }).optional(),
  /** Set when this document corrects an already emitted merged document (late records). */
  correctionOf: z.string().optional(),
  createdAt: z.string().datetime({ offset: true }),
});
export type OutboundDocument = z.infer<typeof outboundDocumentSchema>;
