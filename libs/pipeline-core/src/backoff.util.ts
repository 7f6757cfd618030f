/** Retry policy with kafkajs-style defaults (src/retry/defaults.js). */
export interface BackoffPolicy {
  readonly initialMs: number;
  readonly multiplier: number;
  /** Jitter factor: the delay is randomised within ±factor. */
  readonly factor: number;
  readonly maxMs: number;
  /** Total attempts including the first one. */
  readonly attempts: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  initialMs: 300,
  multiplier: 2,
  factor: 0.2,
  maxMs: 30_000,
  attempts: 3,
};

/** One resend at once, no wait (e.g. after a new login when the platform refused the session of a call). */
export const RESEND_ONCE: BackoffPolicy = {
  initialMs: 0,
  multiplier: 1,
  factor: 0,
  maxMs: 0,
  attempts: 2,
};

/** Delay before attempt `attempt + 1` (attempt is 1-based: the one that just failed). */
export function backoffDelay(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(
    policy.maxMs,
    policy.initialMs * policy.multiplier ** Math.max(0, attempt - 1),
  );
  const jitter = base * policy.factor * (random() * 2 - 1);
  return Math.max(0, Math.round(base + jitter));
}

/** Sleeps `ms`, resolving early (without throwing) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Why `retryWithBackoff` gave up: attempts used up, the deadline reached, or the signal aborted. */
export class RetryStoppedError extends Error {
  constructor(
    readonly reason: 'attempts' | 'deadline' | 'aborted',
    /** Attempts made (0 when aborted before the first). */
    readonly attempts: number,
    /** The last attempt's error (undefined when aborted before the first). */
    readonly lastError: unknown,
  ) {
    super(
      reason === 'aborted'
        ? `aborted after ${attempts} attempts`
        : `gave up after ${attempts} attempts (${reason})`,
      { cause: lastError },
    );
    this.name = 'RetryStoppedError';
  }
}

export interface RetryOptions {
  readonly policy: BackoffPolicy;
  /** Aborting stops retrying (also during a wait). */
  readonly signal?: AbortSignal;
  /** Epoch ms: give up rather than wait past it. */
  readonly deadlineMs?: number;
  /** False: the error is thrown as it is, not retried (default: every error is retried). */
  readonly retryable?: (err: unknown) => boolean;
  /** After each failed attempt that will be retried, with the wait before the next (log it). */
  readonly onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  readonly now?: () => number;
}

/**
 * Calls `call` until it resolves, waiting `backoffDelay` between attempts. Throws `RetryStoppedError` (the last
 * error as its cause) when the policy's attempts are used up, the deadline would be passed, or `signal` aborted;
 * an error `retryable` refuses is thrown at once, as it is.
 */
export async function retryWithBackoff<T>(
  call: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const now = options.now ?? Date.now;
  let lastError: unknown;
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted)
      throw new RetryStoppedError('aborted', attempt - 1, lastError);
    try {
      return await call(attempt);
    } catch (err) {
      lastError = err;
      if (options.retryable && !options.retryable(err)) throw err;
      if (attempt >= options.policy.attempts)
        throw new RetryStoppedError('attempts', attempt, err);
      const delayMs = backoffDelay(options.policy, attempt);
      if (
        options.deadlineMs !== undefined &&
        now() + delayMs > options.deadlineMs
      )
        throw new RetryStoppedError('deadline', attempt, err);
      options.onRetry?.(err, attempt, delayMs);
      await sleep(delayMs, options.signal);
    }
  }
}
