import type { Logger } from '@kingbridge/observability';
import { retryWithBackoff, RetryStoppedError } from '@kingbridge/pipeline-core';
import { Client } from 'pg';
import {
  DatabaseUnavailableError,
  STARTUP_BACKOFF,
} from './connect-with-retry';
import {
  MAINTENANCE_DATABASE,
  redactDatabaseUrl,
  withDatabase,
} from './database-url.util';
import { describeError } from './describe-error.util';

/**
 * Waits until the server in `url` accepts connections (to its `postgres`
 * maintenance database, so a missing application database does not count
 * as down). For one-shot tools such as the migrate step, which may start
 * while Postgres is still starting. Logs every failed attempt; throws
 * DatabaseUnavailableError after `timeoutMs`.
 */
export async function waitForPostgres(
  url: string,
  options: { logger?: Logger; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  const target = withDatabase(url, MAINTENANCE_DATABASE);
  try {
    await retryWithBackoff(
      async () => {
        const client = new Client({
          connectionString: target,
          connectionTimeoutMillis: 5_000,
        });
        try {
          await client.connect();
          await client.query('SELECT 1');
        } finally {
          await client.end().catch(() => undefined);
        }
      },
      {
        policy: STARTUP_BACKOFF,
        deadlineMs: Date.now() + (options.timeoutMs ?? 30_000),
        ...(options.signal ? { signal: options.signal } : {}),
        onRetry: (err, attempt, delayMs) =>
          options.logger?.warn(
            { attempt, delayMs, reason: describeError(err) },
            'postgres unreachable, waiting',
          ),
      },
    );
  } catch (err) {
    if (!(err instanceof RetryStoppedError)) throw err;
    throw new DatabaseUnavailableError(
      `postgres at ${redactDatabaseUrl(target)} unreachable: ${err.lastError === undefined ? 'aborted' : describeError(err.lastError)}`,
      { cause: err.lastError },
    );
  }
}
