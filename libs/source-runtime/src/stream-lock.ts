import { RetryStoppedError, retryWithBackoff } from '@kingbridge/pipeline-core';
import type { Logger } from '@kingbridge/observability';
import pg from 'pg';

/**
 * One active poller per stream across processes: a session-level Postgres
 * advisory lock per stream, held on one dedicated connection for as long as
 * the process runs. A second process for the same stream (a rollout overlap,
 * a manual run) waits until the first one stops; if the lock connection
 * breaks, the locks are gone and `onLost` is called (the process must stop).
 */
export interface StreamLock {
  /** Resolves once this process holds `key`; polls while another process holds it; rejects when `signal` aborts. */
  acquire(key: string, signal: AbortSignal): Promise<void>;
  /** Releases every lock (closes the connection). */
  close(): Promise<void>;
}

export interface PgStreamLockOptions {
  readonly url: string;
  readonly applicationName: string;
  readonly logger: Logger;
  /** How often a waiting process retries (default 2000 ms). */
  readonly retryMs?: number;
  /** The lock connection broke: the locks are released, this process must stop polling. */
  readonly onLost: (err: Error) => void;
}

const NAMESPACE = 'kingbridge.source-stream:';

/** The lock is held by another process (retried); a failing lock query is not. */
class LockHeldError extends Error {}

export async function createPgStreamLock(
  options: PgStreamLockOptions,
): Promise<StreamLock> {
  const client = new pg.Client({
    connectionString: options.url,
    application_name: `${options.applicationName}-lock`,
  });
  let closing = false;
  client.on('error', (err) => {
    if (!closing) options.onLost(err);
  });
  client.on('end', () => {
    if (!closing) options.onLost(new Error('stream lock connection closed'));
  });
  await client.connect();
  // One query at a time on the lock connection.
  let queue: Promise<unknown> = Promise.resolve();
  const tryLock = (key: string): Promise<boolean> => {
    const next = queue.then(async () => {
      const res = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock(hashtext($1)) AS locked',
        [`${NAMESPACE}${key}`],
      );
      return res.rows[0]?.locked === true;
    });
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    async acquire(key, signal) {
      const everyMs = options.retryMs ?? 2000;
      try {
        await retryWithBackoff(
          async (attempt) => {
            if (!(await tryLock(key))) throw new LockHeldError(key);
            if (attempt > 1)
              options.logger.info({ stream: key }, 'stream lock acquired');
          },
          {
            // A fixed poll, for as long as the other process holds it.
            policy: {
              initialMs: everyMs,
              multiplier: 1,
              factor: 0,
              maxMs: everyMs,
              attempts: Number.POSITIVE_INFINITY,
            },
            signal,
            retryable: (err) => err instanceof LockHeldError,
            onRetry: (_err, attempt) => {
              if (attempt === 1)
                options.logger.warn(
                  { stream: key },
                  'stream lock held by another process; waiting (one poller per stream)',
                );
            },
          },
        );
      } catch (err) {
        if (err instanceof RetryStoppedError)
          throw new Error('aborted while waiting for the stream lock');
        throw err;
      }
    },
    async close() {
      closing = true;
      await client.end().catch(() => undefined);
    },
  };
}
