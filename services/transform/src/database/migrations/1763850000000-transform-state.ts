import { sqlMigration } from '@kingbridge/persistence';

/**
 * Lookup tables (master data for `_findCollection`) and the merge state:
 * one row per merge window (the authority shared by every transform
 * instance) and one watermark row per merge flow.
 */
export const TransformState1763850000000 = sqlMigration(
  'TransformState1763850000000',
  {
    up: [
      `CREATE SCHEMA IF NOT EXISTS transform`,
      `
      CREATE TABLE transform.lookup_row (
        id bigserial PRIMARY KEY,
        table_name text NOT NULL,
        row jsonb NOT NULL,
        loaded_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE INDEX lookup_row_table_name_idx ON transform.lookup_row (table_name)`,
      `
      CREATE TABLE transform.merge_watermark (
        flow text PRIMARY KEY,
        watermark_ms bigint,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
      `
      CREATE TABLE transform.merge_window (
        flow text NOT NULL,
        window_key text NOT NULL,
        base_key text NOT NULL,
        status text NOT NULL CHECK (status IN ('open', 'emitted', 'dead_lettered')),
        start_ms bigint NOT NULL,
        end_ms bigint NOT NULL,
        last_seen_ms bigint NOT NULL,
        record_count integer NOT NULL,
        state jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (flow, window_key)
      )`,
      `CREATE INDEX merge_window_open_idx ON transform.merge_window (flow, end_ms) WHERE status = 'open'`,
    ],
    down: [
      `DROP TABLE transform.merge_window`,
      `DROP TABLE transform.merge_watermark`,
      `DROP TABLE transform.lookup_row`,
    ],
  },
);
