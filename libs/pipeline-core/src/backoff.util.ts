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
