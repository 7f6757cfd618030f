import { outboundTopic } from '@kingbridge/contracts';
import { rawTopic } from '@kingbridge/source-registry';
import {
  compileFlow,
  loadPlans,
  parseDuration,
  withMergeOverrides,
  type FlowTransformer,
  type LookupProvider,
  type SyncPlan,
} from '@kingbridge/transform-engine';
import type { TransformConfig } from '../transform.config';

/** Merge timings after overrides, in ms (what the SQL due/cleanup queries need). */
export interface MergeTimings {
  readonly graceMs: number;
  readonly idleTimeoutMs: number;
  readonly dedupRetentionMs: number;
  readonly historyRetentionMs: number;
}

/** One enabled plan, compiled, with its topics. */
export interface Flow {
  readonly id: string;
  readonly file: string;
  readonly plan: SyncPlan;
  readonly transformer: FlowTransformer;
  readonly rawTopic: string;
  readonly outboundTopic: string;
  /** Set for merge flows. */
  readonly merge: MergeTimings | undefined;
}

function ms(value: string | number, what: string): number {
  const v = parseDuration(value);
  if (v === undefined)
    throw new Error(`${what}: invalid duration '${String(value)}'`);
  return v;
}

/**
 * Loads and validates every plan in `PLANS_DIR` (throws PlanValidationError
 * naming file + field path), applies the merge overrides and compiles the
 * enabled ones against `lookups`.
 */
export async function loadFlows(
  config: Pick<
    TransformConfig,
    | 'PLANS_DIR'
    | 'MERGE_WINDOW_SIZE'
    | 'MERGE_GRACE'
    | 'MERGE_IDLE_TIMEOUT'
    | 'MERGE_DEDUP_RETENTION'
  >,
  lookups: LookupProvider,
  clock?: () => number,
): Promise<Flow[]> {
  const loaded = await loadPlans(config.PLANS_DIR);
  return loaded
    .filter(({ plan }) => plan.enabled)
    .map(({ file, plan: original }) => {
      const plan = withMergeOverrides(original, {
        size: config.MERGE_WINDOW_SIZE,
        grace: config.MERGE_GRACE,
        idleTimeout: config.MERGE_IDLE_TIMEOUT,
        dedupRetention: config.MERGE_DEDUP_RETENTION,
      });
      const transformer = compileFlow(plan, {
        lookups,
        trackMergeChanges: true,
        ...(clock ? { clock } : {}),
      });
      return {
        id: plan.id,
        file,
        plan,
        transformer,
        rawTopic: rawTopic(plan.source.platform, plan.source.entity),
        outboundTopic: outboundTopic(plan.target.system),
        merge: plan.merge
          ? {
              graceMs: ms(
                plan.merge.window.grace,
                `${file}: merge.window.grace`,
              ),
              idleTimeoutMs: ms(
                plan.merge.window.idleTimeout,
                `${file}: merge.window.idleTimeout`,
              ),
              dedupRetentionMs: ms(
                plan.merge.dedupRetention,
                `${file}: merge.dedupRetention`,
              ),
              historyRetentionMs: ms(
                plan.merge.historyRetention,
                `${file}: merge.historyRetention`,
              ),
            }
          : undefined,
      };
    });
}

/** Lookup tables a plan's `_findCollection` values read (to preload before emitting a merged window). */
export function planLookupTables(plan: SyncPlan): string[] {
  const tables = new Set<string>();
  const visit = (fields: SyncPlan['mapping']): void => {
    for (const f of fields) {
      if (typeof f.value === 'string') {
        for (const m of f.value.matchAll(
          /_findCollection\s+find\s+\S+\s+from\s+([A-Za-z0-9_]+)/g,
        ))
          tables.add(m[1] as string);
      }
      if (f.children) visit(f.children);
    }
  };
  visit(plan.mapping);
  return [...tables].sort();
}
