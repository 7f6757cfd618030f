/** One sliding-window rule: at most `limit` admitted requests per `windowMs`. */
export interface RateRule<TCode = string> {
  limit: number;
  windowMs: number;
  /** Returned when this rule refuses a request (the platform's throttle code). */
  code: TCode;
}

/**
 * Sliding-window limiter over the simulator clock. Only admitted requests count toward the windows;
 * refused ones do not (a client that backs off recovers as soon as the window slides).
 * Rules are checked in order; the first one that is full answers.
 */
export class SlidingWindowLimiter<TCode = string> {
  private admitted: number[] = [];

  constructor(private rules: readonly RateRule<TCode>[]) {}

  /** Returns null when admitted (and records it), or the refusing rule's code. */
  tryAcquire(now: number): TCode | null {
    const longest = Math.max(0, ...this.rules.map((r) => r.windowMs));
    this.admitted = this.admitted.filter((t) => t > now - longest);
    for (const rule of this.rules) {
      if (rule.limit <= 0) continue;
      const inWindow = this.admitted.filter(
        (t) => t > now - rule.windowMs,
      ).length;
      if (inWindow >= rule.limit) return rule.code;
    }
    this.admitted.push(now);
    return null;
  }

  setRules(rules: readonly RateRule<TCode>[]): void {
    this.rules = rules;
  }

  reset(): void {
    this.admitted = [];
  }
}
