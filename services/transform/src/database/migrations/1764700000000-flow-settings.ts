import { sqlMigration } from '@kingbridge/persistence';

/**
 * `transform.flow_settings`: each flow's effective plan (merge overrides applied) as the running transform
 * compiled it, written at every start. Ops tools (reconciliation) read a flow's settings from here instead
 * of re-deriving them from their own environment.
 */
export const FlowSettings1764700000000 = sqlMigration(
  'FlowSettings1764700000000',
  {
    up: [
      `
      CREATE TABLE transform.flow_settings (
        flow text PRIMARY KEY,
        plan_file text NOT NULL,
        plan jsonb NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now()
      )`,
    ],
    down: ['DROP TABLE IF EXISTS transform.flow_settings'],
  },
);
