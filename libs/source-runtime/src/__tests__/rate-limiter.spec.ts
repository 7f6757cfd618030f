import { describe, expect, it } from 'vitest';
import { AdaptiveRateLimiter, parseRateRules } from '../rate-limiter';

function maxInWindow(times: number[], windowMs: number): number {
  let max = 0;
  for (let i = 0; i < times.length; i++) {
    const start = times[i]!;
    max = Math.max(
      max,
      times.filter((t) => t >= start && t < start + windowMs).length,
    );
  }
  return max;
}

describe('AdaptiveRateLimiter', () => {
  it('should never exceed the limit in any window when many callers compete', async () => {
    const limiter = new AdaptiveRateLimiter([{ limit: 4, intervalMs: 100 }], {
      safetyMarginMs: 5,
    });
    const times: number[] = [];
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        const ticket = await limiter.acquire();
        times.push(performance.now());
        limiter.release(ticket);
      }),
    );
    expect(times).toHaveLength(16);
    expect(
      maxInWindow(
        times.sort((a, b) => a - b),
        100,
      ),
    ).toBeLessThanOrEqual(4);
  });

  it('should lower the rate on a throttle and recover it over time', () => {
    let now = 0;
    const limiter = new AdaptiveRateLimiter([{ limit: 10, intervalMs: 1000 }], {
      now: () => now,
      recoverAfterMs: 1000,
      recoverStep: 0.25,
    });
    limiter.onThrottle();
    expect(limiter.currentFactor()).toBe(0.5);
    limiter.onThrottle();
    expect(limiter.currentFactor()).toBe(0.25);
    now += 2000;
    expect(limiter.currentFactor()).toBe(0.75);
    now += 5000;
    expect(limiter.currentFactor()).toBe(1);
  });

  it('should hold a token until its request completed when the request is slow', async () => {
    let now = 0;
    const limiter = new AdaptiveRateLimiter([{ limit: 1, intervalMs: 20 }], {
      safetyMarginMs: 0,
      now: () => now,
    });
    const ticket = await limiter.acquire();
    expect(limiter.availableNow()).toBe(false);
    now = 1000;
    expect(limiter.availableNow()).toBe(false);
    limiter.release(ticket);
    expect(limiter.availableNow()).toBe(false);
    now = 1021;
    expect(limiter.availableNow()).toBe(true);
  });

  it('should reject waiting callers when the signal aborts', async () => {
    const limiter = new AdaptiveRateLimiter([{ limit: 1, intervalMs: 60_000 }]);
    await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });
});

describe('parseRateRules', () => {
  it('should parse several rules when given a comma list', () => {
    expect(parseRateRules('5/1s, 100/60s,2/500ms,30/m')).toEqual([
      { limit: 5, intervalMs: 1000 },
      { limit: 100, intervalMs: 60_000 },
      { limit: 2, intervalMs: 500 },
      { limit: 30, intervalMs: 60_000 },
    ]);
  });

  it('should throw when a rule is malformed', () => {
    expect(() => parseRateRules('5 per second')).toThrow('invalid rate');
  });
});
