import {
  type BackoffPolicy,
  DEFAULT_BACKOFF,
  RetryStoppedError,
  retryWithBackoff,
} from '@kingbridge/pipeline-core';
import type { Logger } from '@kingbridge/observability';
import type { AdaptiveRateLimiter, RateTicket } from './rate-limiter';
import {
  errorLogFields,
  retryAfterOf,
  sourceErrorKind,
} from './source-error.util';
import type { RequestHooks } from './source-connector.port';
import type { SourceMetrics } from './source.metrics';

export interface RequestPolicy {
  /** Transient failures: attempts in total (default 3, as in the seeds), with exponential backoff + jitter. */
  readonly transient: BackoffPolicy;
  /** Throttle answers retried before the window fails (the limiter paves the pauses). */
  readonly maxThrottleRetries: number;
}

export const DEFAULT_REQUEST_POLICY: RequestPolicy = {
  transient: { ...DEFAULT_BACKOFF, initialMs: 500, attempts: 3 },
  maxThrottleRetries: 10,
};

/**
 * One credential set: its rate limiter (shared by all streams that use the
 * credential), request hooks for the connector client, and the retry policy
 * around each page fetch.
 */
export class CredentialChannel {
  constructor(
    readonly connector: string,
    readonly limiter: AdaptiveRateLimiter,
    private readonly metrics: SourceMetrics,
    private readonly logger: Logger,
    private readonly policy: RequestPolicy = DEFAULT_REQUEST_POLICY,
  ) {}

  /** Hooks to pass to the connector client's constructor. */
  hooks(): RequestHooks {
    return {
      beforeRequest: (_endpoint, signal) => this.limiter.acquire(signal),
      afterRequest: (endpoint, outcome, seconds, ticket) => {
        this.limiter.release(ticket as RateTicket | undefined);
        this.metrics.requests.inc({
          connector: this.connector,
          endpoint,
          outcome,
        });
        this.metrics.requestDuration.observe(
          { connector: this.connector, endpoint },
          seconds,
        );
      },
      retry: (call, signal) =>
        this.execute(call, { connector: this.connector }, signal),
    };
  }

  /**
   * Runs `call` with the retry policy: transient failures up to
   * `transient.attempts`, throttles (pause + lower rate) up to
   * `maxThrottleRetries`; anything else is thrown at once.
   */
  async execute<T>(
    call: () => Promise<T>,
    context: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<T> {
    let throttles = 0;
    // One try with its throttle retries: no wait here, the limiter paces the next call.
    const attempt = async (): Promise<T> => {
      for (;;) {
        try {
          const result = await call();
          this.limiter.onSuccess();
          return result;
        } catch (err) {
          const kind = sourceErrorKind(err, signal);
          if (
            kind === 'throttle' &&
            throttles < this.policy.maxThrottleRetries
          ) {
            throttles += 1;
            this.metrics.throttled.inc({ connector: this.connector });
            this.metrics.retries.inc({ connector: this.connector });
            this.limiter.onThrottle(retryAfterOf(err));
            this.logger.debug(
              {
                ...context,
                ...errorLogFields(err),
                factor: this.limiter.currentFactor(),
              },
              'throttled; rate lowered',
            );
            continue;
          }
          if (kind === 'throttle')
            this.metrics.throttled.inc({ connector: this.connector });
          throw err;
        }
      }
    };
    // Stopped already: the one try says why (as the call sees the signal).
    if (signal?.aborted) return attempt();
    try {
      // Transient failures: the policy's attempts in total, with its backoff between them.
      return await retryWithBackoff(attempt, {
        policy: this.policy.transient,
        signal,
        retryable: (err) => sourceErrorKind(err, signal) === 'transient',
        onRetry: (err, failures, delay) => {
          this.metrics.retries.inc({ connector: this.connector });
          this.logger.debug(
            {
              ...context,
              ...errorLogFields(err),
              attempt: failures,
              delay,
            },
            'transient failure; retrying',
          );
        },
      });
    } catch (err) {
      // Attempts used up or aborted while waiting: the last failure as it is.
      if (err instanceof RetryStoppedError && err.lastError !== undefined)
        throw err.lastError;
      throw err;
    }
  }
}
