import { sqlMigration } from '@kingbridge/persistence';

/**
 * Ledger: `unverified` (a previous attempt may have reached Kingdee and no
 * lookup has settled it since), the in-flight lease (`owner`, `lease_until`:
 * no other sink instance verifies or sends while it runs), the written
 * payload (to show both versions when a document changes after write);
 * dead letters get `details` (e.g. both versions and a diff).
 */
export const SinkKingdeeLedgerFence1764760000000 = sqlMigration(
  'SinkKingdeeLedgerFence1764760000000',
  {
    up: [
      `
      ALTER TABLE sink_kingdee.ledger
        ADD COLUMN unverified boolean NOT NULL DEFAULT false,
        ADD COLUMN owner text,
        ADD COLUMN lease_until timestamptz,
        ADD COLUMN written_payload jsonb`,
      `
      UPDATE sink_kingdee.ledger SET unverified = true
       WHERE state IN ('sending', 'ambiguous')
          OR (state <> 'written' AND last_error_class IN ('timeout', 'network', 'bad_response', 'server_error', 'duplicate_number', 'unknown'))`,
      `ALTER TABLE sink_kingdee.dead_letter ADD COLUMN details jsonb`,
    ],
    down: [
      `ALTER TABLE sink_kingdee.dead_letter DROP COLUMN details`,
      `
      ALTER TABLE sink_kingdee.ledger
        DROP COLUMN written_payload, DROP COLUMN lease_until, DROP COLUMN owner, DROP COLUMN unverified`,
    ],
  },
);
