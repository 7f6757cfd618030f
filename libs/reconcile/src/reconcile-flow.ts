import type { LookupProvider, SyncPlan } from '@kingbridge/transform-engine';
import {
  buildExpectedDocuments,
  withMergeOverrides,
  type MergeOverrides,
} from './expected-documents.builder';
import type {
  KingdeeDocument,
  KingdeeInventory,
  SourceInventory,
  TimeRange,
} from './inventory.port';
import {
  compareInventories,
  type Comparison,
  type ExpectedFailure,
} from './reconcile.comparator';

export interface ReconcileFlowInput {
  readonly plan: SyncPlan;
  /** Other plans (to tell their documents apart when they write to the same form). */
  readonly otherPlans?: readonly SyncPlan[];
  readonly source: SourceInventory;
  /** Name of the source dataset/entity for `source.list` (default: the plan's entity). */
  readonly sourceEntity?: string;
  readonly kingdee: KingdeeInventory;
  /** Form id for `kingdee.list` (default: the plan's target form). */
  readonly kingdeeFormId?: string;
  readonly range: TimeRange;
  readonly lookups: LookupProvider;
  readonly mergeOverrides?: MergeOverrides;
}

export interface ReconcileReport extends Comparison {
  readonly flow: string;
  readonly formId: string;
  readonly range: { readonly from: string; readonly to: string };
  readonly source: {
    readonly records: number;
    readonly filtered: number;
    readonly failed: number;
  };
  /** Source records that cannot become a document (mapping or lookup errors): dead letters expected. */
  readonly failures: readonly ExpectedFailure[];
}

/** Literal text before the first `{` of a bill number template ('' when it starts with a reference). */
export function billPrefix(plan: SyncPlan): string {
  const template = plan.billNo ?? '';
  const i = template.indexOf('{');
  return (i < 0 ? template : template.slice(0, i)).toUpperCase();
}

/**
 * Reconciles one flow over a time range: source records created in the range (latest
 * version each) → expected documents through the plan → compared with Kingdee's documents
 * for the form. A Kingdee document counts as extra when it was first written at or after
 * the range start, carries this plan's bill prefix and not another plan's on the same form.
 */
export async function reconcileFlow(
  input: ReconcileFlowInput,
): Promise<ReconcileReport> {
  const plan = withMergeOverrides(input.plan, input.mergeOverrides ?? {});
  const records = await input.source.list(
    input.sourceEntity ?? plan.source.entity,
    input.range,
  );
  const expected = await buildExpectedDocuments(plan, records, input.lookups);
  const formId = input.kingdeeFormId ?? plan.target.formId;
  const actual = await input.kingdee.list(formId);
  const own = billPrefix(plan);
  const others = (input.otherPlans ?? [])
    .filter(
      (p) =>
        p.id !== plan.id &&
        p.target.system === plan.target.system &&
        p.target.formId === plan.target.formId,
    )
    .map(billPrefix)
    .filter((p) => p !== '' && !own.startsWith(p));
  const isExtraCandidate = (doc: KingdeeDocument): boolean => {
    const bill = doc.billNo.toUpperCase();
    if (!bill.startsWith(own)) return false;
    if (others.some((p) => bill.startsWith(p))) return false;
    if (
      doc.firstWrittenAt !== undefined &&
      Date.parse(doc.firstWrittenAt) < input.range.fromMs
    )
      return false;
    return true;
  };
  const comparison = compareInventories({
    expected: expected.documents,
    actual,
    isExtraCandidate,
  });
  return {
    flow: plan.id,
    formId,
    range: {
      from: new Date(input.range.fromMs).toISOString(),
      to: new Date(input.range.toMs).toISOString(),
    },
    source: {
      records: records.length,
      filtered: expected.filtered,
      failed: expected.failures.length,
    },
    failures: expected.failures,
    ...comparison,
  };
}
