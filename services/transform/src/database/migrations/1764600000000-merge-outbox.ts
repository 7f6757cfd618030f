import { sqlMigration } from '@kingbridge/persistence';

/**
 * Transactional outbox of merged documents: a due window is mapped, its document stored here and the window
 * marked emitted in ONE transaction; the document is produced from this row afterwards and the row deleted once
 * Kafka acknowledged it. A crash in between produces the same stored bytes again (the sink dedups them), and a
 * record arriving meanwhile finds the window emitted and goes to a correction — it can no longer make a document
 * with the same key and more content. The value is kept as text so every produce sends identical bytes.
 */
export const MergeOutbox1764600000000 = sqlMigration(
  'MergeOutbox1764600000000',
  {
    up: [
      `
      CREATE TABLE transform.merge_outbox (
        id bigserial PRIMARY KEY,
        flow text NOT NULL,
        topic text NOT NULL,
        document_key text NOT NULL,
        value text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE INDEX merge_outbox_flow_idx ON transform.merge_outbox (flow, id)`,
    ],
    down: [`DROP TABLE transform.merge_outbox`],
  },
);
