import type { FetchFn } from './fetch.port';

/** One HTTP call of a platform client (sources and Kingdee targets). */
export interface HttpRequest {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

export interface HttpResponse {
  readonly status: number;
  readonly text: string;
  /** `Retry-After` in ms (seconds form), when the answer has one. */
  readonly retryAfterMs: number | undefined;
  readonly setCookies: readonly string[];
}

/** A failure before any HTTP status was received. */
export class HttpTransportError extends Error {
  constructor(
    message: string,
    readonly errorClass: 'network' | 'timeout',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HttpTransportError';
  }
}

/**
 * One HTTP round trip with a timeout (AbortSignal, also ended by `req.signal`). Failures before a status
 * become `HttpTransportError` (`timeout` / `network`), never raw exceptions.
 */
export async function httpRequest(
  fetchFn: FetchFn,
  req: HttpRequest,
): Promise<HttpResponse> {
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
  try {
    const res = await fetchFn(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal,
    });
    const text = await res.text();
    return {
      status: res.status,
      text,
      retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
      setCookies: res.headers.getSetCookie(),
    };
  } catch (err) {
    if (timeout.aborted && !req.signal?.aborted) {
      throw new HttpTransportError(
        `timed out after ${req.timeoutMs} ms`,
        'timeout',
        { cause: err },
      );
    }
    throw new HttpTransportError(describeNetworkError(err), 'network', {
      cause: err,
    });
  }
}

/** `fetch failed: ECONNREFUSED`: the message with the code (or message) of its cause. */
export function describeNetworkError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message;
  return detail ? `${err.message}: ${detail}` : err.message;
}

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}
