import type { Logger } from '@kingbridge/observability';
import { backoffDelay, sleep } from '@kingbridge/pipeline-core';
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
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const target = withDatabase(url, MAINTENANCE_DATABASE);
  for (let attempt = 1; ; attempt++) {
    const client = new Client({
      connectionString: target,
      connectionTimeoutMillis: 5_000,
    });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (err) {
      const reason = describeError(err);
      const delayMs = backoffDelay(STARTUP_BACKOFF, attempt);
      if (Date.now() + delayMs > deadline || options.signal?.aborted) {
        throw new DatabaseUnavailableError(
          `postgres at ${redactDatabaseUrl(target)} unreachable: ${reason}`,
          { cause: err },
        );
      }
      options.logger?.warn(
        { attempt, delayMs, reason },
        'postgres unreachable, waiting',
      );
      await sleep(delayMs, options.signal);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
