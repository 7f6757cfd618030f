import { sleep } from '@kingbridge/pipeline-core';

/** At most `limit` requests in any `intervalMs` window. */
export interface RateRule {
  readonly limit: number;
  readonly intervalMs: number;
}

export interface AdaptiveRateLimiterOptions {
  /** Factor applied to every limit after a throttle answer (default 0.5). */
  readonly decreaseFactor?: number;
  /** Lowest factor the adaptive rate goes down to (default 0.1). */
  readonly minFactor?: number;
  /** Factor regained after each quiet `recoverAfterMs` (default 0.1 per 10 s). */
  readonly recoverStep?: number;
  readonly recoverAfterMs?: number;
  /** Pause of all callers after a throttle answer without Retry-After: base, doubled per consecutive throttle. */
  readonly throttlePauseMs?: number;
  readonly maxThrottlePauseMs?: number;
  /** Extra spacing added to each interval so network jitter cannot push the server-side count over. */
  readonly safetyMarginMs?: number;
  readonly now?: () => number;
  readonly random?: () => number;
}

/**
 * A token bucket per credential set, shared by every stream using that
 * credential. Each rule is a bucket of `limit` tokens where every token taken
 * returns exactly `intervalMs` after it was taken, so no window of
 * `intervalMs` ever holds more than `limit` requests (a refill-rate bucket
 * would allow 2x at the window edges). On a throttle answer the limiter
 * pauses every caller (backoff with jitter) and scales all limits down
 * (multiplicative decrease); quiet periods scale them back up (additive
 * increase) to the configured limit.
 */
export class AdaptiveRateLimiter {
  private readonly taken: number[] = [];
  private factor = 1;
  private pausedUntil = 0;
  private lastAdjustAt = 0;
  private consecutiveThrottles = 0;
  private queue: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly maxIntervalMs: number;

  constructor(
    readonly rules: readonly RateRule[],
    private readonly options: AdaptiveRateLimiterOptions = {},
  ) {
    if (rules.length === 0) throw new Error('AdaptiveRateLimiter needs at least one rule');
    for (const r of rules) {
      if (!(r.limit >= 1 && r.intervalMs > 0)) throw new Error(`invalid rate rule ${JSON.stringify(r)}`);
    }
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.maxIntervalMs = Math.max(...rules.map((r) => r.intervalMs)) + this.margin();
  }

  /** Current scale of the limits, 0 < factor ≤ 1. */
  currentFactor(): number {
    this.recover(this.now());
    return this.factor;
  }

  /** Waits for a token. Callers are served in arrival order. Rejects when `signal` aborts. */
  acquire(signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.take(signal));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** A throttle answer was received: pause everyone and lower the rate. */
  onThrottle(retryAfterMs?: number): void {
    const now = this.now();
    this.consecutiveThrottles += 1;
    this.factor = Math.max(this.options.minFactor ?? 0.1, this.factor * (this.options.decreaseFactor ?? 0.5));
    this.lastAdjustAt = now;
    const base = this.options.throttlePauseMs ?? 1000;
    const backoff = Math.min(this.options.maxThrottlePauseMs ?? 30_000, base * 2 ** (this.consecutiveThrottles - 1));
    const jittered = backoff * (0.8 + 0.4 * this.random());
    this.pausedUntil = Math.max(this.pausedUntil, now + Math.max(retryAfterMs ?? 0, jittered));
  }

  /** A request succeeded: consecutive throttles reset (the rate recovers with time). */
  onSuccess(): void {
    this.consecutiveThrottles = 0;
  }

  private margin(): number {
    return this.options.safetyMarginMs ?? 25;
  }

  private async take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw abortError(signal);
      const now = this.now();
      this.recover(now);
      const wait = this.waitMs(now);
      if (wait <= 0) {
        this.taken.push(now);
        return;
      }
      await sleep(wait, signal);
    }
  }

  private waitMs(now: number): number {
    if (now < this.pausedUntil) return this.pausedUntil - now;
    // Drop timestamps no rule can see any more.
    while (this.taken.length > 0 && (this.taken[0] ?? 0) <= now - this.maxIntervalMs) this.taken.shift();
    let wait = 0;
    for (const rule of this.rules) {
      const interval = rule.intervalMs + this.margin();
      const limit = Math.max(1, Math.floor(rule.limit * this.factor));
      const inWindow = this.taken.filter((t) => t > now - interval);
      if (inWindow.length >= limit) {
        const oldestThatMustExpire = inWindow[inWindow.length - limit] ?? now;
        wait = Math.max(wait, oldestThatMustExpire + interval - now);
      }
    }
    return wait;
  }

  private recover(now: number): void {
    const every = this.options.recoverAfterMs ?? 10_000;
    if (this.factor >= 1 || now - this.lastAdjustAt < every) return;
    const steps = Math.floor((now - this.lastAdjustAt) / every);
    this.factor = Math.min(1, this.factor + steps * (this.options.recoverStep ?? 0.1));
    this.lastAdjustAt += steps * every;
  }
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}

/** Parses `5/1s,100/60s` (also `ms`, `m`) into rules. */
export function parseRateRules(text: string): RateRule[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const m = /^(\d+)\s*\/\s*(\d*)\s*(ms|s|m)$/.exec(part);
      if (!m) throw new Error(`invalid rate "${part}" (expected e.g. 5/1s or 100/60s)`);
      const amount = m[2] ? Number(m[2]) : 1;
      const unit = m[3] === 'ms' ? 1 : m[3] === 's' ? 1000 : 60_000;
      return { limit: Number(m[1]), intervalMs: amount * unit };
    });
}
