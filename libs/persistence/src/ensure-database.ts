import { Client } from 'pg';
import {
  MAINTENANCE_DATABASE,
  databaseNameOf,
  quoteIdentifier,
  withDatabase,
} from './database-url.util';

/** SQLSTATE 42P04 duplicate_database, 23505 unique_violation (a concurrent CREATE won). */
const ALREADY_EXISTS = new Set(['42P04', '23505']);

/**
 * Creates the database named in `url` when it does not exist, connecting to
 * the server's `postgres` maintenance database with the same credentials.
 * Safe to call concurrently. Returns whether this call created it.
 */
export async function ensureDatabase(url: string): Promise<boolean> {
  const name = databaseNameOf(url);
  const client = new Client({
    connectionString: withDatabase(url, MAINTENANCE_DATABASE),
    connectionTimeoutMillis: 5_000,
  });
  await client.connect();
  try {
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
  } finally {
    await client.end();
  }
}

/** Drops the database named in `url` if it exists (tests and tooling only). */
export async function dropDatabase(url: string): Promise<void> {
  const name = databaseNameOf(url);
  const client = new Client({
    connectionString: withDatabase(url, MAINTENANCE_DATABASE),
    connectionTimeoutMillis: 5_000,
  });
  await client.connect();
  try {
    await client.query(
      `DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`,
    );
  } finally {
    await client.end();
  }
}
