import type { Logger } from '@kingbridge/observability';
import { MigrationExecutor, type DataSource } from 'typeorm';
import {
  assertSchemaName,
  quoteIdentifier,
  redactDatabaseUrl,
} from './database-url.util';
import { createDataSource, type MigrationClass } from './data-source.factory';
import { ensureDatabase } from './ensure-database';

export interface MigrationRunOptions {
  /** The owning schema; created if missing, holds the `migrations` table. */
  readonly schema?: string;
  readonly logger?: Logger;
}

/**
 * The migrate step: creates the database and the owning schema if missing,
 * then runs every pending migration, each in its own transaction, in
 * timestamp order. Concurrent runs on the same schema are serialised with a
 * Postgres advisory lock, so two replicas starting together are safe.
 * Returns the names of the migrations this call applied (empty when none).
 */
export async function runMigrations(
  url: string,
  migrations: readonly MigrationClass[],
  options: MigrationRunOptions = {},
): Promise<string[]> {
  const schema =
    options.schema === undefined ? undefined : assertSchemaName(options.schema);
  const created = await ensureDatabase(url);
  if (created) {
    options.logger?.info(
      { database: redactDatabaseUrl(url) },
      'created database',
    );
  }
  const dataSource = createDataSource({
    url,
    migrations,
    schema,
    applicationName: 'kingbridge-migrate',
    logger: options.logger,
  });
  await dataSource.initialize();
  try {
    return await withMigrationLock(dataSource, schema ?? 'public', async () => {
      if (schema) {
        await dataSource.query(
          `CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`,
        );
      }
      const ran = await dataSource.runMigrations({ transaction: 'each' });
      return ran.map((m) => m.name);
    });
  } finally {
    await dataSource.destroy();
  }
}

/**
 * Names of the migrations not yet applied to `url` (all of them when the
 * database, schema or history table does not exist). Creates nothing:
 * this is the CI "pending migrations" check.
 */
export async function pendingMigrations(
  url: string,
  migrations: readonly MigrationClass[],
  options: { readonly schema?: string } = {},
): Promise<string[]> {
  const dataSource = createDataSource({
    url,
    migrations,
    schema: options.schema,
    applicationName: 'kingbridge-migrate-check',
  });
  try {
    await dataSource.initialize();
  } catch (err) {
    // 3D000 invalid_catalog_name: the database does not exist yet.
    if ((err as { code?: string }).code === '3D000') {
      return listMigrationNames(migrations);
    }
    throw err;
  }
  try {
    const pending = await new MigrationExecutor(
      dataSource,
    ).getPendingMigrations();
    return pending.map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}

function listMigrationNames(migrations: readonly MigrationClass[]): string[] {
  return migrations.map((M) => {
    const instance = new M();
    return instance.name ?? M.name;
  });
}

async function withMigrationLock<T>(
  dataSource: DataSource,
  scope: string,
  work: () => Promise<T>,
): Promise<T> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  const key = `kingbridge:migrations:${scope}`;
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
    try {
      return await work();
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [key]);
    }
  } finally {
    await runner.release();
  }
}
