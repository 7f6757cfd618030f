import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lookup tables (master data for `_findCollection`) and the merge state:
 * one row per merge window (the authority shared by every transform
 * instance) and one watermark row per merge flow.
 */
export class TransformState1763850000000 implements MigrationInterface {
  name = 'TransformState1763850000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS transform`);
    await queryRunner.query(`
      CREATE TABLE transform.lookup_row (
        id bigserial PRIMARY KEY,
        table_name text NOT NULL,
        row jsonb NOT NULL,
        loaded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX lookup_row_table_name_idx ON transform.lookup_row (table_name)`,
    );
    await queryRunner.query(`
      CREATE TABLE transform.merge_watermark (
        flow text PRIMARY KEY,
        watermark_ms bigint,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
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
      )`);
    await queryRunner.query(
      `CREATE INDEX merge_window_open_idx ON transform.merge_window (flow, end_ms) WHERE status = 'open'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE transform.merge_window`);
    await queryRunner.query(`DROP TABLE transform.merge_watermark`);
    await queryRunner.query(`DROP TABLE transform.lookup_row`);
  }
}
