import { sqlMigration } from '@kingbridge/persistence';

/**
 * The Kingdee concurrency budget shared by every sink pod: one row per
 * request slot in use at a tenant (src/budget). A crashed pod's slots expire.
 */
export const SinkKingdeeBudgetLease1764900000000 = sqlMigration(
  'SinkKingdeeBudgetLease1764900000000',
  {
    up: [
      `
      CREATE TABLE sink_kingdee.kingdee_budget_lease (
        tenant text NOT NULL,
        slot integer NOT NULL,
        holder text NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (tenant, slot)
      )`,
    ],
    down: [`DROP TABLE sink_kingdee.kingdee_budget_lease`],
  },
);
