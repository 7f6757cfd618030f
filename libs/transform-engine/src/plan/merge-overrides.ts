import type { SyncPlan } from './sync-plan.schema';

/**
 * Merge settings that replace a plan's for one deployment (the transform's `MERGE_WINDOW_SIZE`, `MERGE_GRACE`,
 * `MERGE_IDLE_TIMEOUT`, `MERGE_DEDUP_RETENTION`). Reconciliation applies the same ones, so both expect the same
 * windows.
 */
export interface MergeOverrides {
  readonly size?: string | undefined;
  readonly grace?: string | undefined;
  readonly idleTimeout?: string | undefined;
  readonly dedupRetention?: string | undefined;
}

/** The plan with the overrides applied (a plan without merge is returned as it is). */
export function withMergeOverrides(
  plan: SyncPlan,
  o: MergeOverrides,
): SyncPlan {
  if (!plan.merge) return plan;
  const m = plan.merge;
  return {
    ...plan,
    merge: {
      ...m,
      window: {
        size: o.size ?? m.window.size,
        grace: o.grace ?? m.window.grace,
        idleTimeout: o.idleTimeout ?? m.window.idleTimeout,
      },
      dedupRetention: o.dedupRetention ?? m.dedupRetention,
    },
  };
}
