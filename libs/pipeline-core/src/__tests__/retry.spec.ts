import { describe, expect, it } from 'vitest';
import {
  RetryStoppedError,
  retryWithBackoff,
  type BackoffPolicy,
} from '../backoff.util';

const fast: BackoffPolicy = {
  initialMs: 1,
  multiplier: 1,
  factor: 0,
  maxMs: 1,
  attempts: 3,
};

describe('retryWithBackoff', () => {
  it('should return the first success and report each retried failure with its wait', async () => {
    const seen: Array<[string, number, number]> = [];
    const result = await retryWithBackoff(
      (attempt) =>
        attempt < 3
          ? Promise.reject(new Error(`down ${attempt}`))
          : Promise.resolve(`up at ${attempt}`),
      {
        policy: fast,
        onRetry: (err, attempt, delayMs) =>
          seen.push([(err as Error).message, attempt, delayMs]),
      },
    );
    expect(result).toBe('up at 3');
    expect(seen).toEqual([
      ['down 1', 1, 1],
      ['down 2', 2, 1],
    ]);
  });

  it('should stop after the policy attempts with the last error as cause', async () => {
    const err = await retryWithBackoff(
      (attempt) => Promise.reject(new Error(`down ${attempt}`)),
      { policy: fast },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryStoppedError);
    const stopped = err as RetryStoppedError;
    expect([stopped.reason, stopped.attempts]).toEqual(['attempts', 3]);
    expect((stopped.lastError as Error).message).toBe('down 3');
  });

  it('should give up rather than wait past the deadline, and never start when already aborted', async () => {
    let t = 1000;
    const deadline = await retryWithBackoff(
      () => Promise.reject(new Error('x')),
      {
        policy: { ...fast, initialMs: 50, maxMs: 50, attempts: Infinity },
        deadlineMs: 1120,
        now: () => (t += 40),
      },
    ).catch((e: unknown) => e as RetryStoppedError);
    expect(deadline.reason).toBe('deadline');
    expect(deadline.attempts).toBe(2);

    const controller = new AbortController();
    controller.abort();
    let calls = 0;
    const aborted = (await retryWithBackoff(
      () => {
        calls += 1;
        return Promise.resolve();
      },
      { policy: fast, signal: controller.signal },
    ).catch((e: unknown) => e)) as RetryStoppedError;
    expect([aborted.reason, aborted.attempts, calls]).toEqual([
      'aborted',
      0,
      0,
    ]);
  });

  it('should throw an error retryable refuses at once, as it is', async () => {
    let calls = 0;
    const fatal = new Error('bad credentials');
    const err = await retryWithBackoff(
      () => {
        calls += 1;
        return Promise.reject(fatal);
      },
      { policy: fast, retryable: (e) => e !== fatal },
    ).catch((e: unknown) => e);
    expect(err).toBe(fatal);
    expect(calls).toBe(1);
  });
});
