import { toPipelineError, type FetchFn } from '@kingbridge/pipeline-core';
import type { KingdeeRequestHooks } from './kingdee-http.util';
import type { RowOutcome, WriteRow } from './kingdee-writer.port';

/** What every Kingdee client takes from its options: the HTTP call, the per-request timeout and the clock. */
export interface KingdeeTransport {
  readonly fetchFn: FetchFn;
  readonly timeoutMs: number;
  readonly now: () => number;
}

/** The options every Kingdee client shares. */
export interface KingdeeClientOptions {
  /** Per-request timeout (default 30 s). */
  readonly timeoutMs?: number;
  readonly fetch?: FetchFn;
  readonly now?: () => number;
  readonly hooks?: KingdeeRequestHooks;
}

export function kingdeeTransport(
  options: KingdeeClientOptions,
): KingdeeTransport {
  return {
    fetchFn: options.fetch ?? fetch,
    timeoutMs: options.timeoutMs ?? 30_000,
    now: options.now ?? Date.now,
  };
}

/** Writes the rows one request each, concurrently; a row whose request throws is `failed` with that error. */
export function eachRow(
  rows: readonly WriteRow[],
  write: (row: WriteRow) => Promise<RowOutcome>,
): Promise<RowOutcome[]> {
  return Promise.all(
    rows.map(async (row): Promise<RowOutcome> => {
      try {
        return await write(row);
      } catch (err) {
        return { kind: 'failed', error: toPipelineError(err) };
      }
    }),
  );
}
