import { sqlMigration } from '@kingbridge/persistence';

/**
 * Source ids held by each open window, indexed: a batch finds the window an
 * updated record was counted in (even when its update moves it to another
 * window) and locks it too, so the old contribution is replaced, not kept.
 */
export const MergeWindowSourceIds1763860000000 = sqlMigration(
  'MergeWindowSourceIds1763860000000',
  {
    up: [
      `ALTER TABLE transform.merge_window ADD COLUMN source_ids text[] NOT NULL DEFAULT '{}'`,
      `UPDATE transform.merge_window SET source_ids = ARRAY(SELECT jsonb_object_keys(state->'records')) WHERE status = 'open'`,
      `CREATE INDEX merge_window_source_ids_idx ON transform.merge_window USING gin (source_ids)`,
    ],
    down: [
      `DROP INDEX transform.merge_window_source_ids_idx`,
      `ALTER TABLE transform.merge_window DROP COLUMN source_ids`,
    ],
  },
);
