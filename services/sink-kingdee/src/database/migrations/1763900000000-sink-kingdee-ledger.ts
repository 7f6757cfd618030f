import { schemaMigration } from '@kingbridge/persistence';

/** Write ledger (one row per document key) and the queryable dead letters. */
export const SinkKingdeeLedger1763900000000 = schemaMigration(
  'SinkKingdeeLedger1763900000000',
  'sink_kingdee',
  {
    ledger: {
      columns: {
        document_key: 'text PRIMARY KEY',
        flow: 'text NOT NULL',
        target: 'text NOT NULL',
        form_id: 'text NOT NULL',
        bill_no: 'text NOT NULL',
        state:
          "text NOT NULL CHECK (state IN ('sending', 'ambiguous', 'retrying', 'written', 'dead_lettered'))",
        kingdee_id: 'text',
        kingdee_number: 'text',
        attempts: 'integer NOT NULL DEFAULT 0',
        last_error_class: 'text',
        last_error: 'text',
        payload_hash: 'char(64) NOT NULL',
        first_seen_at: 'timestamptz NOT NULL DEFAULT now()',
        last_attempt_at: 'timestamptz',
        written_at: 'timestamptz',
        updated_at: 'timestamptz NOT NULL DEFAULT now()',
      },
      indexes: { ledger_state_idx: '(state)' },
    },
    dead_letter: {
      columns: {
        id: 'bigserial PRIMARY KEY',
        topic: 'text NOT NULL',
        partition: 'integer NOT NULL',
        message_offset: 'text NOT NULL',
        message_key: 'text',
        message_value: 'text',
        headers: "jsonb NOT NULL DEFAULT '{}'",
        document_key: 'text',
        flow: 'text',
        target: 'text',
        form_id: 'text',
        bill_no: 'text',
        source_ids: "jsonb NOT NULL DEFAULT '[]'",
        error_class: 'text NOT NULL',
        error_message: 'text NOT NULL',
        field_path: 'text',
        attempts: 'integer NOT NULL',
        first_failed_at: 'timestamptz NOT NULL',
        dead_lettered_at: 'timestamptz NOT NULL DEFAULT now()',
        replayed_at: 'timestamptz',
        replay_count: 'integer NOT NULL DEFAULT 0',
        resolved_at: 'timestamptz',
      },
      constraints: ['UNIQUE (topic, partition, message_offset)'],
      indexes: {
        dead_letter_flow_idx: '(flow, dead_lettered_at)',
        dead_letter_key_idx: '(document_key)',
      },
    },
  },
);
