import type { Logger } from '@kingbridge/observability';
import type {
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';

/**
 * What a start that failed does. `exit`: one fatal line, exit code 1 and SIGTERM, so the shutdown hooks run and
 * the orchestrator restarts the process. `stay-up`: one error line; HTTP keeps answering and `notReadyReason`
 * (for the service's readiness check) says `<message>: <error>`.
 */
export type StartFailure = 'exit' | 'stay-up';

/**
 * The lifecycle every NestJS service of ours shares: after the HTTP server is up (so /health answers while
 * Postgres or Kafka are still coming) `prepare()` registers the readiness checks and `start(signal)` runs in the
 * background; on shutdown the signal is aborted and `stop(started)` stops what was started (`started` settles
 * once the background start has; a start cut short by shutdown is not a failure).
 */
export abstract class BackgroundService
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly abort = new AbortController();
  private startup: Promise<void> = Promise.resolve();
  /** Why the service is not ready yet: `starting`, what `start` is waiting for, or why it failed. */
  protected notReadyReason = 'starting';

  /** `failureMessage`: the message of the log line a failed start writes, e.g. `sink failed to start`. */
  protected constructor(
    protected readonly logger: Logger,
    private readonly onFailure: StartFailure,
    private readonly failureMessage: string,
  ) {}

  onApplicationBootstrap(): void {
    if (this.prepare() === 'idle') return;
    this.startup = this.start(this.abort.signal).catch((err: unknown) =>
      this.failed(err),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    this.abort.abort();
    await this.stop(this.startup);
  }

  /** True once shutdown began. */
  protected get stopping(): boolean {
    return this.abort.signal.aborted;
  }

  /** Synchronous set-up (readiness checks, clients); `idle` when there is nothing to start. */
  protected abstract prepare(): 'start' | 'idle';

  protected abstract start(signal: AbortSignal): Promise<void>;

  /** Stops what `start` started; `started` resolves once `start` has settled. */
  protected abstract stop(started: Promise<void>): Promise<void>;

  private failed(err: unknown): void {
    if (this.stopping) return;
    const message = err instanceof Error ? err.message : String(err);
    if (this.onFailure === 'stay-up') {
      this.notReadyReason = `${this.failureMessage}: ${message}`;
      this.logger.error({ err: this.notReadyReason }, this.failureMessage);
      return;
    }
    this.logger.fatal({ err: message }, this.failureMessage);
    process.exitCode = 1;
    process.kill(process.pid, 'SIGTERM');
  }
}
