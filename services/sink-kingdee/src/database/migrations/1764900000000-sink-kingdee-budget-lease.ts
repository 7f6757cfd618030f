import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Kingdee concurrency budget shared by every sink pod: one row per
 * request slot in use at a tenant (src/budget). A crashed pod's slots expire.
 */
export class SinkKingdeeBudgetLease1764900000000 implements MigrationInterface {
  name = 'SinkKingdeeBudgetLease1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE sink_kingdee.kingdee_budget_lease (
        tenant text NOT NULL,
        slot integer NOT NULL,
        holder text NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (tenant, slot)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE sink_kingdee.kingdee_budget_lease`);
  }
}
