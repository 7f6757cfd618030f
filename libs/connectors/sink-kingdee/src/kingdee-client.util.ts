import { toPipelineError, type FetchFn } from '@kingbridge/pipeline-core';
import {
  kingdeeFetch,
  type KingdeeHttpResponse,
  type KingdeeRequestHooks,
} from './kingdee-http.util';
import type { RowOutcome, WriteRow } from './kingdee-writer.port';

/** One JSON call of a Kingdee client (`json` is serialised as the body). */
export interface KingdeeJsonRequest {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly json?: unknown;
  readonly signal?: AbortSignal | undefined;
}

/** What every Kingdee client takes from its options: the HTTP call, the per-request timeout and the clock. */
export interface KingdeeTransport {
  readonly fetchFn: FetchFn;
  readonly timeoutMs: number;
  readonly now: () => number;
  /** One round trip with the timeout (`kingdeeFetch`: transport failures classified, named after `target`). */
  send(target: string, req: KingdeeJsonRequest): Promise<KingdeeHttpResponse>;
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
  const fetchFn = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 30_000;
  return {
    fetchFn,
    timeoutMs,
    now: options.now ?? Date.now,
    send: (target, req) =>
      kingdeeFetch(
        fetchFn,
        {
          url: req.url,
          method: req.method,
          headers: req.headers,
          ...(req.json !== undefined ? { body: JSON.stringify(req.json) } : {}),
          timeoutMs,
          ...(req.signal ? { signal: req.signal } : {}),
        },
        target,
      ),
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
