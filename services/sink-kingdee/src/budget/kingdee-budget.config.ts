import { z } from 'zod';

const budget = (target: string) =>
  z.coerce
    .number()
    .int()
    .min(1)
    .optional()
    .describe(
      `${target} requests in flight at one tenant across ALL sink pods (Postgres-backed; unset = only the per-pod concurrency)`,
    );

/** Variables of the shared Kingdee budget (part of the sink's schema). */
export const kingdeeBudgetConfigShape = {
  KINGDEE_BUDGET_K3CLOUD: budget('K3Cloud'),
  KINGDEE_BUDGET_JDY: budget('JDY'),
  KINGDEE_BUDGET_K3WISE: budget('K/3 WISE'),
  KINGDEE_BUDGET_LEASE_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .optional()
    .describe(
      'how long a slot stays taken if its pod dies mid-request (default KINGDEE_TIMEOUT_MS + 30 s)',
    ),
} as const;
