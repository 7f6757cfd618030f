import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { MigrationClass } from './data-source.factory';

/** The statements of one migration, run in order (each migration runs in its own transaction). */
export interface SqlMigrationSteps {
  readonly up: readonly string[];
  readonly down: readonly string[];
}

/**
 * A migration that runs fixed SQL: `name` is `<PascalName><unix-ms>` (ADR 0006) and is the class's name too, so
 * TypeORM orders it by the timestamp and `migrate --check` finds it registered. The SQL is history: never edit
 * it once released; a change is a new migration.
 */
export function sqlMigration(
  name: string,
  steps: SqlMigrationSteps,
): MigrationClass {
  const migration = class implements MigrationInterface {
    readonly name = name;

    async up(queryRunner: QueryRunner): Promise<void> {
      for (const sql of steps.up) await queryRunner.query(sql);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      for (const sql of steps.down) await queryRunner.query(sql);
    }
  };
  Object.defineProperty(migration, 'name', { value: name });
  return migration;
}
