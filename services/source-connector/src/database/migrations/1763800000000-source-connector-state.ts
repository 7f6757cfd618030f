import { schemaMigration } from '@kingbridge/persistence';

/** Checkpoints per stream, last published content hash per record, backfill progress. */
export const SourceConnectorState1763800000000 = schemaMigration(
  'SourceConnectorState1763800000000',
  'source_connector',
  {
    stream_checkpoint: {
      columns: {
        stream_id: 'text PRIMARY KEY',
        platform: 'text NOT NULL',
        entity: 'text NOT NULL',
        checkpoint_at: 'timestamptz NOT NULL',
        last_run_id: 'text',
        last_success_at: 'timestamptz',
        last_error: 'text',
        last_remediation_at: 'timestamptz',
        updated_at: 'timestamptz NOT NULL DEFAULT now()',
      },
    },
    record_state: {
      columns: {
        stream_id: 'text NOT NULL',
        source_id: 'text NOT NULL',
        content_hash: 'char(64) NOT NULL',
        modified_at: 'timestamptz NOT NULL',
        published_at: 'timestamptz NOT NULL DEFAULT now()',
      },
      constraints: ['PRIMARY KEY (stream_id, source_id)'],
    },
    backfill_job: {
      columns: {
        job_id: 'text PRIMARY KEY',
        stream_id: 'text NOT NULL',
        range_from: 'timestamptz NOT NULL',
        range_to: 'timestamptz NOT NULL',
        next_from: 'timestamptz NOT NULL',
        windows_total: 'integer NOT NULL',
        windows_done: 'integer NOT NULL DEFAULT 0',
        records_published: 'bigint NOT NULL DEFAULT 0',
        status: "text NOT NULL CHECK (status IN ('running', 'done'))",
        started_at: 'timestamptz NOT NULL DEFAULT now()',
        updated_at: 'timestamptz NOT NULL DEFAULT now()',
        finished_at: 'timestamptz',
      },
    },
  },
);
