import { Client } from 'pg';
import {
  MAINTENANCE_DATABASE,
  databaseNameOf,
  quoteIdentifier,
  withDatabase,
} from './database-url.util';

/** SQLSTATE 42P04 duplicate_database, 23505 unique_violation (a concurrent CREATE won). */
const ALREADY_EXISTS = new Set(['42P04', '23505']);

/** Runs `fn` on a connection to the server's `postgres` maintenance database (the credentials of `url`). */
async function withMaintenanceClient<T>(
  url: string,
  fn: (client: Client, name: string) => Promise<T>,
): Promise<T> {
  const client = new Client({
    connectionString: withDatabase(url, MAINTENANCE_DATABASE),
    connectionTimeoutMillis: 5_000,
  });
  await client.connect();
  try {
    return await fn(client, databaseNameOf(url));
  } finally {
    await client.end();
  }
}

/**
 * Creates the database named in `url` when it does not exist, connecting to
 * the server's `postgres` maintenance database with the same credentials.
 * Safe to call concurrently. Returns whether this call created it.
 */
export function ensureDatabase(url: string): Promise<boolean> {
  return withMaintenanceClient(url, async (client, name) => {
    const found = await client.query(
      'SELECT 1 FROM pg_database WHERE datname = $1',
      [name],
    );
    if (found.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
      return true;
    } catch (err) {
      if (ALREADY_EXISTS.has((err as { code?: string }).code ?? ''))
        return false;
      throw err;
    }
  });
}

/** Drops the database named in `url` if it exists (tests and tooling only). */
export async function dropDatabase(url: string): Promise<void> {
  await withMaintenanceClient(url, (client, name) =>
    client.query(
      `DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`,
    ),
  );
}
