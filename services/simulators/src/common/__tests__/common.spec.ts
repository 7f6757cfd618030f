import { describe, expect, it } from 'vitest';
import {
  createPrng,
  SlidingWindowLimiter,
  stringifyWithBigInt,
  VersionedStore,
} from '..';

describe('simulator common utilities', () => {
  it('should replay the same numbers for the same seed and differ for another', () => {
    const a = createPrng(5);
    const b = createPrng(5);
    const c = createPrng(6);
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
    for (const v of seqA) expect(v >= 0 && v < 1).toBe(true);
  });

  it('should write bigints as bare JSON integers', () => {
    expect(stringifyWithBigInt({ id: 1786543210987654321n, s: 'x' })).toBe(
      '{"id":1786543210987654321,"s":"x"}',
    );
  });

  it('should admit up to the limit per window and recover when the window slides', () => {
    const limiter = new SlidingWindowLimiter([
      { limit: 2, windowMs: 1000, code: 'fast' },
      { limit: 3, windowMs: 10_000, code: 'slow' },
    ]);
    expect([0, 10, 20].map((t) => limiter.tryAcquire(t))).toEqual([
      null,
      null,
      'fast',
    ]);
    expect(limiter.tryAcquire(1001)).toBeNull();
    expect(limiter.tryAcquire(2500)).toBe('slow');
    expect(limiter.tryAcquire(10_011)).toBeNull();
  });

  it('should keep every version of a record', () => {
    const store = new VersionedStore<{ id: string; v: number }>((r) => r.id);
    store.put({ id: 'a', v: 1 }, 1);
    store.put({ id: 'a', v: 2 }, 2);
    store.put({ id: 'b', v: 1 }, 3);
    expect(store.current()).toEqual([
      { id: 'a', v: 2 },
      { id: 'b', v: 1 },
    ]);
    expect(store.history('a').map((h) => [h.version, h.at])).toEqual([
      [1, 1],
      [2, 2],
    ]);
  });
});
