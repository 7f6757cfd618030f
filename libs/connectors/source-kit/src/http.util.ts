import { randomUUID } from 'node:crypto';
import type { ErrorClass } from '@kingbridge/contracts';
import type { FetchFn } from '@kingbridge/pipeline-core';

export type { FetchFn } from '@kingbridge/pipeline-core';

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
  readonly retryAfterMs: number | undefined;
}

/** A failure before any HTTP status was received. */
export class HttpTransportError extends Error {
  constructor(
    message: string,
    readonly errorClass: Extract<ErrorClass, 'network' | 'timeout'>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HttpTransportError';
  }
}

export function newRequestId(): string {
  return randomUUID();
}

/** One HTTP round trip with a timeout; network failures become HttpTransportError. */
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
    };
  } catch (err) {
    if (timeout.aborted && !req.signal?.aborted) {
      throw new HttpTransportError(
        `timed out after ${req.timeoutMs} ms`,
        'timeout',
        { cause: err },
      );
    }
    const message =
      err instanceof Error ? describeNetworkError(err) : String(err);
    throw new HttpTransportError(message, 'network', { cause: err });
  }
}

function describeNetworkError(err: Error): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ? `${err.message}: ${cause.code}` : err.message;
}

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/** Builds an `application/x-www-form-urlencoded` body. */
export function formBody(params: Readonly<Record<string, string>>): string {
  return new URLSearchParams(params).toString();
}
