import {
  formatZodIssues,
  zodPath,
  type KingdeeTarget,
  type OutboundDocument,
} from '@kingbridge/contracts';
import { z } from 'zod';
import { k3FormKeys } from '@kingbridge/sink-kingdee-client/protocol';

const row = z.record(z.string(), z.unknown());
const positiveNumber = z.union([
  z.number().positive(),
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, 'expected a positive number')
    .refine((s) => Number(s) > 0, 'expected a positive number'),
]);

/** JDY 盘亏单 save body (`InvCheckLossBillSaveReq`; references by internal id). */
export const jdyCheckLossBillSchema = z
  .object({
    bill_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected yyyy-MM-dd'),
    bill_no: z.string().min(1).optional(),
    remark: z.string().optional(),
    operation_key: z.string().optional(),
    material_entity: z
      .array(
        z
          .object({
            material_id: z.string().min(1),
            stock_id: z.string().min(1),
            unit_id: z.string().min(1),
            qty: positiveNumber,
          })
          .passthrough(),
      )
      .min(1),
  })
  .passthrough();

/** K/3 WISE Save `Data`: `{Page1:[header], Page2:[rows]}` (optionally wrapped in `Data`). */
export const k3WiseSaveDataSchema = z
  .object({
    Page1: z.array(row).min(1),
    Page2: z.array(row).min(1),
  })
  .passthrough();

/** K3Cloud Model: an object; bills need their entry rows. */
function k3CloudModelSchema(formId: string): z.ZodType {
  const keys = k3FormKeys(formId);
  const base = z.record(z.string(), z.unknown());
  if (!keys.entryKey) return base;
  const entryKey = keys.entryKey;
  return base.superRefine((model, ctx) => {
    const entries = model[entryKey];
    if (!Array.isArray(entries) || entries.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: [entryKey],
        message: `entry rows ${entryKey} required for ${formId}`,
      });
      return;
    }
    entries.forEach((e, i) => {
      if (typeof e !== 'object' || e === null || Array.isArray(e)) {
        ctx.addIssue({
          code: 'custom',
          path: [entryKey, i],
          message: 'entry row must be an object',
        });
      }
    });
  });
}

export type DocumentCheck =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly fieldPath: string;
      readonly message: string;
    };

/**
 * Checks an outbound document against its target's body schema before any
 * call: the failing field is reported as `document.<path>`. The document's
 * own number field, when present, must equal `billNo` (the sink verifies and
 * deduplicates by it).
 */
export function checkOutboundDocument(doc: OutboundDocument): DocumentCheck {
  const { schema, numberPath } = schemaFor(doc.target, doc.formId);
  const parsed = schema.safeParse(
    doc.target === 'k3wise' ? unwrapData(doc.document) : doc.document,
  );
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      fieldPath: `document.${issue ? zodPath(issue.path) : '(root)'}`,
      message: `${doc.target} ${doc.formId} document: ${formatZodIssues(parsed.error)}`,
    };
  }
  const given = numberPath.reduce<unknown>(
    (v, k) =>
      v === null || v === undefined
        ? undefined
        : (v as Record<string | number, unknown>)[k],
    doc.target === 'k3wise' ? unwrapData(doc.document) : doc.document,
  );
  if (
    given !== undefined &&
    given !== null &&
    given !== '' &&
    String(given) !== doc.billNo
  ) {
    const path = `document.${zodPath(numberPath)}`;
    return {
      ok: false,
      fieldPath: path,
      message: `${path} is "${String(given)}" but billNo is "${doc.billNo}"`,
    };
  }
  return { ok: true };
}

interface TargetSchema {
  readonly schema: z.ZodType;
  readonly numberPath: Array<string | number>;
}

/** K3Cloud model schemas by form id (a handful per deployment), built once. */
const k3CloudSchemas = new Map<string, TargetSchema>();

function schemaFor(target: KingdeeTarget, formId: string): TargetSchema {
  switch (target) {
    case 'k3cloud': {
      let known = k3CloudSchemas.get(formId);
      if (!known) {
        known = {
          schema: k3CloudModelSchema(formId),
          numberPath: [k3FormKeys(formId).numberField],
        };
        k3CloudSchemas.set(formId, known);
      }
      return known;
    }
    case 'jdy':
      return { schema: jdyCheckLossBillSchema, numberPath: ['bill_no'] };
    case 'k3wise':
      return {
        schema: k3WiseSaveDataSchema,
        numberPath: ['Page1', 0, 'FBillNo'],
      };
  }
}

function unwrapData(document: Record<string, unknown>): unknown {
  const data = document['Data'];
  return typeof data === 'object' && data !== null && !Array.isArray(data)
    ? data
    : document;
}
