import type { Logger } from '@kingbridge/observability';
import {
  DEFAULT_BACKOFF,
  retryWithBackoff,
  RetryStoppedError,
  type BackoffPolicy,
} from '@kingbridge/pipeline-core';
import type { DataSource } from 'typeorm';
import { describeError } from './describe-error.util';
import { zonelessTimeColumns } from './entity-conventions';

/** Start-up policy: keep trying (readiness stays red), back off to 15 s. */
export const STARTUP_BACKOFF: BackoffPolicy = {
  ...DEFAULT_BACKOFF,
  initialMs: 500,
  maxMs: 15_000,
  attempts: Number.POSITIVE_INFINITY,
};

export interface ConnectWithRetryOptions {
  readonly logger: Logger;
  /** Default `STARTUP_BACKOFF` (unbounded attempts). */
  readonly policy?: BackoffPolicy;
  /** Aborting stops retrying; the promise rejects. */
  readonly signal?: AbortSignal;
  /** What the log lines call this database (default `postgres`). */
  readonly name?: string;
  /** Called after each failed attempt that will be retried (e.g. for health reasons). */
  readonly onRetry?: (reason: string, attempt: number) => void;
}

/** Thrown when retrying stops (attempts used up or aborted). */
export class DatabaseUnavailableError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'DatabaseUnavailableError';
  }
}

/**
 * Initialises `dataSource`, retrying with exponential backoff while Postgres
 * is unreachable (down, starting, database not created yet). Every failed
 * attempt is logged at `warn` with the reason and the next delay, so a
 * service waiting for its database is never silent; readiness checks built
 * on `pingDatabase` stay red meanwhile. Entity mistakes (a zoneless
 * timestamp column) are not retried: they throw at once.
 */
export async function connectWithRetry(
  dataSource: DataSource,
  options: ConnectWithRetryOptions,
): Promise<DataSource> {
  const policy = options.policy ?? STARTUP_BACKOFF;
  const name = options.name ?? 'postgres';
  try {
    await retryWithBackoff(
      async () => {
        if (!dataSource.isInitialized) await dataSource.initialize();
      },
      {
        policy,
        ...(options.signal ? { signal: options.signal } : {}),
        onRetry: (err, attempt, delayMs) => {
          const reason = describeError(err);
          options.onRetry?.(reason, attempt);
          options.logger.warn(
            { database: name, attempt, delayMs, reason },
            'database unreachable, retrying',
          );
        },
      },
    );
  } catch (err) {
    if (!(err instanceof RetryStoppedError)) throw err;
    if (err.reason === 'aborted')
      throw new DatabaseUnavailableError(`${name}: connect aborted`);
    const reason = describeError(err.lastError);
    options.logger.error(
      { database: name, attempt: err.attempts, reason },
      'database unreachable, giving up',
    );
    throw new DatabaseUnavailableError(
      `${name}: unreachable after ${err.attempts} attempts: ${reason}`,
      { cause: err.lastError },
    );
  }
  const zoneless = zonelessTimeColumns(dataSource);
  if (zoneless.length > 0) {
    await dataSource.destroy();
    throw new Error(
      `columns must be timestamptz, found zoneless timestamps: ${zoneless.join(', ')}`,
    );
  }
  options.logger.info({ database: name }, 'database connected');
  return dataSource;
}
