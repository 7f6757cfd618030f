import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Source ids held by each open window, indexed: a batch finds the window an
 * updated record was counted in (even when its update moves it to another
 * window) and locks it too, so the old contribution is replaced, not kept.
 */
export class MergeWindowSourceIds1763860000000 implements MigrationInterface {
  name = 'MergeWindowSourceIds1763860000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE transform.merge_window ADD COLUMN source_ids text[] NOT NULL DEFAULT '{}'`,
    );
    await queryRunner.query(
      `UPDATE transform.merge_window SET source_ids = ARRAY(SELECT jsonb_object_keys(state->'records')) WHERE status = 'open'`,
    );
    await queryRunner.query(
      `CREATE INDEX merge_window_source_ids_idx ON transform.merge_window USING gin (source_ids)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX transform.merge_window_source_ids_idx`);
    await queryRunner.query(
      `ALTER TABLE transform.merge_window DROP COLUMN source_ids`,
    );
  }
}
