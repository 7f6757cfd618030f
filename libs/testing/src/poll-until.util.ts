export interface PollOptions {
  /** Give up after this long (default 15000 ms). */
  readonly timeoutMs?: number;
  /** Pause between polls (default 100 ms). */
  readonly intervalMs?: number;
  /** Shown in the timeout error. */
  readonly description?: string;
}

/**
 * Calls `fn` until it returns something other than `undefined`, `null` or
 * `false`, and returns that value. Throws (with the last error, if `fn`
 * threw) when `timeoutMs` passes. The test-friendly alternative to sleeps.
 */
export async function pollUntil<T>(
  fn: () => T | Promise<T>,
  options: PollOptions = {},
): Promise<Exclude<T, undefined | null | false>> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const intervalMs = options.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined && value !== null && value !== false) {
        return value as Exclude<T, undefined | null | false>;
      }
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const what = options.description ?? 'condition';
      const why = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(
        `pollUntil: ${what} not met within ${timeoutMs} ms${why}`,
        {
          cause: lastError,
        },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Re-runs an assertion until it passes; on timeout rethrows the assertion's
 * own last error (so the test report shows the real expected/actual diff).
 */
export async function expectEventually<T>(
  assertion: () => T | Promise<T>,
  options: PollOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const intervalMs = options.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (err) {
      if (Date.now() >= deadline) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
