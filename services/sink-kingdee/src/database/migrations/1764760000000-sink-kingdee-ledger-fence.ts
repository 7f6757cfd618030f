import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Ledger: `unverified` (a previous attempt may have reached Kingdee and no
 * lookup has settled it since), the in-flight lease (`owner`, `lease_until`:
 * no other sink instance verifies or sends while it runs), the written
 * payload (to show both versions when a document changes after write);
 * dead letters get `details` (e.g. both versions and a diff).
 */
export class SinkKingdeeLedgerFence1764760000000 implements MigrationInterface {
  name = 'SinkKingdeeLedgerFence1764760000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE sink_kingdee.ledger
        ADD COLUMN unverified boolean NOT NULL DEFAULT false,
        ADD COLUMN owner text,
        ADD COLUMN lease_until timestamptz,
        ADD COLUMN written_payload jsonb`);
    await queryRunner.query(`
      UPDATE sink_kingdee.ledger SET unverified = true
       WHERE state IN ('sending', 'ambiguous')
          OR (state <> 'written' AND last_error_class IN ('timeout', 'network', 'bad_response', 'server_error', 'duplicate_number', 'unknown'))`);
    await queryRunner.query(
      `ALTER TABLE sink_kingdee.dead_letter ADD COLUMN details jsonb`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE sink_kingdee.dead_letter DROP COLUMN details`,
    );
    await queryRunner.query(`
      ALTER TABLE sink_kingdee.ledger
        DROP COLUMN written_payload, DROP COLUMN lease_until, DROP COLUMN owner, DROP COLUMN unverified`);
  }
}
