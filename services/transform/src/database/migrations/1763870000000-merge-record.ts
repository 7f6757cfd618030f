import { sqlMigration } from '@kingbridge/persistence';

/**
 * Record-level merge state: one `merge_record` row per record of a window
 * (its contribution while the window is open, only its content hash once
 * emitted), so a batch writes what changed instead of whole windows.
 * `merge_window.state` keeps the window's metadata only.
 */
export const MergeRecord1763870000000 = sqlMigration(
  'MergeRecord1763870000000',
  {
    up: [
      `
      CREATE TABLE transform.merge_record (
        flow text NOT NULL,
        window_key text NOT NULL,
        source_id text NOT NULL,
        hash text NOT NULL,
        contribution jsonb,
        PRIMARY KEY (flow, window_key, source_id)
      )`,
      `CREATE INDEX merge_record_source_idx ON transform.merge_record (flow, source_id)`,
      `
      INSERT INTO transform.merge_record (flow, window_key, source_id, hash, contribution)
      SELECT w.flow, w.window_key, r.key, r.value->>'h', r.value
        FROM transform.merge_window w, jsonb_each(COALESCE(w.state->'records', '{}'::jsonb)) r`,
      `
      INSERT INTO transform.merge_record (flow, window_key, source_id, hash, contribution)
      SELECT w.flow, w.window_key, e.key, e.value #>> '{}', NULL
        FROM transform.merge_window w, jsonb_each(COALESCE(w.state->'emitted', '{}'::jsonb)) e
      ON CONFLICT DO NOTHING`,
      `UPDATE transform.merge_window SET state = state - 'records' - 'emitted'`,
      `DROP INDEX transform.merge_window_source_ids_idx`,
      `ALTER TABLE transform.merge_window DROP COLUMN source_ids`,
    ],
    down: [
      `ALTER TABLE transform.merge_window ADD COLUMN source_ids text[] NOT NULL DEFAULT '{}'`,
      `CREATE INDEX merge_window_source_ids_idx ON transform.merge_window USING gin (source_ids)`,
      `
      UPDATE transform.merge_window w SET
        state = w.state
          || jsonb_build_object('records', COALESCE((SELECT jsonb_object_agg(r.source_id, r.contribution) FROM transform.merge_record r
                 WHERE r.flow = w.flow AND r.window_key = w.window_key AND r.contribution IS NOT NULL), '{}'::jsonb))
          || jsonb_build_object('emitted', COALESCE((SELECT jsonb_object_agg(r.source_id, r.hash) FROM transform.merge_record r
                 WHERE r.flow = w.flow AND r.window_key = w.window_key AND r.contribution IS NULL), '{}'::jsonb))`,
      `DROP TABLE transform.merge_record`,
    ],
  },
);
