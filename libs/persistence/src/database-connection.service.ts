import type { Logger } from '@kingbridge/observability';
import type { BackoffPolicy } from '@kingbridge/pipeline-core';
import type { DataSource } from 'typeorm';
import { connectWithRetry } from './connect-with-retry';
import { describeError } from './describe-error.util';
import { pingDatabase } from './ping-database';

/**
 * Owns one DataSource's lifecycle in a service: connects in the background
 * (never blocking HTTP start-up, so /health/ready can answer 503 meanwhile),
 * exposes `ready()` for work that needs the database, and closes on shutdown.
 */
export class DatabaseConnection {
  private readonly abort = new AbortController();
  private connecting: Promise<DataSource> | undefined;
  private failure: string | undefined;
  private lastRetryReason: string | undefined;

  constructor(
    readonly dataSource: DataSource,
    private readonly logger: Logger,
    private readonly policy?: BackoffPolicy,
  ) {}

  /** Starts connecting (idempotent) and resolves once connected. */
  ready(): Promise<DataSource> {
    this.connecting ??= connectWithRetry(this.dataSource, {
      logger: this.logger,
      signal: this.abort.signal,
      onRetry: (reason) => {
        this.lastRetryReason = reason;
      },
      ...(this.policy ? { policy: this.policy } : {}),
    }).catch((err: unknown) => {
      this.failure = describeError(err);
      if (!this.abort.signal.aborted) {
        this.logger.error(
          { reason: this.failure },
          'database connection failed',
        );
      }
      throw err;
    });
    return this.connecting;
  }

  /** Starts connecting without waiting; failures are logged and reported by `health`. */
  start(): void {
    this.ready().catch(() => undefined);
  }

  /** For /health/ready: connected and answering `SELECT 1`. */
  async health(): Promise<{ ready: boolean; reason?: string }> {
    if (this.failure) return { ready: false, reason: this.failure };
    if (!this.dataSource.isInitialized) {
      return {
        ready: false,
        reason: this.lastRetryReason
          ? `postgres unreachable: ${this.lastRetryReason}`
          : 'connecting to postgres',
      };
    }
    return (await pingDatabase(this.dataSource))
      ? { ready: true }
      : { ready: false, reason: 'postgres did not answer SELECT 1' };
  }

  /** Stops retrying and closes the pool. */
  async close(): Promise<void> {
    this.abort.abort();
    await this.connecting?.catch(() => undefined);
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
