import { sleep } from '@kingbridge/pipeline-core';

/** Opaque handle of one acquired token. */
export type RateTicket = { readonly __brand: 'RateTicket' };

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
 * credential. Each rule is a bucket of `limit` tokens where every token
 * returns exactly `intervalMs` after its request *completed* (not after it was
 * sent): a request arrives at the server before it completes, so no window of
 * `intervalMs` at the server ever holds more than `limit` requests, whatever
 * the network jitter (a refill-rate bucket would allow 2x at window edges). On a throttle answer the limiter
 * pauses every caller (backoff with jitter) and scales all limits down
 * (multiplicative decrease); quiet periods scale them back up (additive
 * increase) to the configured limit.
 */
export class AdaptiveRateLimiter {
  /** One slot per request: `at` = when it completed (Infinity while in flight). */
  private taken: { at: number }[] = [];
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
    if (rules.length === 0)
      throw new Error('AdaptiveRateLimiter needs at least one rule');
    for (const r of rules) {
      if (!(r.limit >= 1 && r.intervalMs > 0))
        throw new Error(`invalid rate rule ${JSON.stringify(r)}`);
    }
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.maxIntervalMs =
      Math.max(...rules.map((r) => r.intervalMs)) + this.margin();
  }

  /** Current scale of the limits, 0 < factor ≤ 1. */
  currentFactor(): number {
    this.recover(this.now());
    return this.factor;
  }

  /**
   * Waits for a token; pass the returned ticket to `release` once the request
   * completed (or failed). Callers are served in arrival order. Rejects when
   * `signal` aborts.
   */
  acquire(signal?: AbortSignal): Promise<RateTicket> {
    const turn = this.queue.then(() => this.take(signal));
    this.queue = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  /** True when a token could be taken right now (ignores callers already queued). */
  availableNow(): boolean {
    const now = this.now();
    this.recover(now);
    return this.waitMs(now) <= 0;
  }

  /** Marks the request of `ticket` as completed: its token returns `intervalMs` from now. */
  release(ticket: RateTicket | undefined): void {
    const slot = ticket as { at: number } | undefined;
    if (slot && slot.at === Number.POSITIVE_INFINITY) slot.at = this.now();
  }

  /** A throttle answer was received: pause everyone and lower the rate. */
  onThrottle(retryAfterMs?: number): void {
    const now = this.now();
    this.consecutiveThrottles += 1;
    this.factor = Math.max(
      this.options.minFactor ?? 0.1,
      this.factor * (this.options.decreaseFactor ?? 0.5),
    );
    this.lastAdjustAt = now;
    const base = this.options.throttlePauseMs ?? 1000;
    const backoff = Math.min(
      this.options.maxThrottlePauseMs ?? 30_000,
      base * 2 ** (this.consecutiveThrottles - 1),
    );
    const jittered = backoff * (0.8 + 0.4 * this.random());
    this.pausedUntil = Math.max(
      this.pausedUntil,
      now + Math.max(retryAfterMs ?? 0, jittered),
    );
  }

  /** A request succeeded: consecutive throttles reset (the rate recovers with time). */
  onSuccess(): void {
    this.consecutiveThrottles = 0;
  }

  private margin(): number {
    return this.options.safetyMarginMs ?? 10;
  }

  private async take(signal?: AbortSignal): Promise<RateTicket> {
    for (;;) {
      if (signal?.aborted) throw abortError(signal);
      const now = this.now();
      this.recover(now);
      const wait = this.waitMs(now);
      if (wait <= 0) {
        const slot = { at: Number.POSITIVE_INFINITY };
        this.taken.push(slot);
        return slot as unknown as RateTicket;
      }
      // A slot still in flight frees up only when released: poll briefly.
      await sleep(Number.isFinite(wait) ? wait : 10, signal);
    }
  }

  private waitMs(now: number): number {
    if (now < this.pausedUntil) return this.pausedUntil - now;
    // Drop slots no rule can see any more.
    this.taken = this.taken.filter((t) => t.at > now - this.maxIntervalMs);
    let wait = 0;
    for (const rule of this.rules) {
      const interval = rule.intervalMs + this.margin();
      const limit = Math.max(1, Math.floor(rule.limit * this.factor));
      const inWindow = this.taken
        .map((t) => t.at)
        .filter((at) => at > now - interval)
        .sort((a, b) => a - b);
      if (inWindow.length >= limit) {
        const mustExpire = inWindow[inWindow.length - limit] ?? now;
        wait = Math.max(wait, mustExpire + interval - now);
      }
    }
    return wait;
  }

  private recover(now: number): void {
    const every = this.options.recoverAfterMs ?? 10_000;
    if (this.factor >= 1 || now - this.lastAdjustAt < every) return;
    const steps = Math.floor((now - this.lastAdjustAt) / every);
    this.factor = Math.min(
      1,
      this.factor + steps * (this.options.recoverStep ?? 0.1),
    );
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
      if (!m)
        throw new Error(
          `invalid rate "${part}" (expected e.g. 5/1s or 100/60s)`,
        );
      const amount = m[2] ? Number(m[2]) : 1;
      const unit = m[3] === 'ms' ? 1 : m[3] === 's' ? 1000 : 60_000;
      return { limit: Number(m[1]), intervalMs: amount * unit };
    });
}
