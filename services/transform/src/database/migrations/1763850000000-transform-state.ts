import { schemaMigration } from '@kingbridge/persistence';

/**
 * Lookup tables (master data for `_findCollection`) and the merge state:
 * one row per merge window (the authority shared by every transform
 * instance) and one watermark row per merge flow.
 */
export const TransformState1763850000000 = schemaMigration(
  'TransformState1763850000000',
  'transform',
  {
    lookup_row: {
      columns: {
        id: 'bigserial PRIMARY KEY',
        table_name: 'text NOT NULL',
        row: 'jsonb NOT NULL',
        loaded_at: 'timestamptz NOT NULL DEFAULT now()',
      },
      indexes: { lookup_row_table_name_idx: '(table_name)' },
    },
    merge_watermark: {
      columns: {
        flow: 'text PRIMARY KEY',
        watermark_ms: 'bigint',
        updated_at: 'timestamptz NOT NULL DEFAULT now()',
      },
    },
    merge_window: {
      columns: {
        flow: 'text NOT NULL',
        window_key: 'text NOT NULL',
        base_key: 'text NOT NULL',
        status:
          "text NOT NULL CHECK (status IN ('open', 'emitted', 'dead_lettered'))",
        start_ms: 'bigint NOT NULL',
        end_ms: 'bigint NOT NULL',
        last_seen_ms: 'bigint NOT NULL',
        record_count: 'integer NOT NULL',
        state: 'jsonb NOT NULL',
        updated_at: 'timestamptz NOT NULL DEFAULT now()',
      },
      constraints: ['PRIMARY KEY (flow, window_key)'],
      indexes: {
        merge_window_open_idx: "(flow, end_ms) WHERE status = 'open'",
      },
    },
  },
);
