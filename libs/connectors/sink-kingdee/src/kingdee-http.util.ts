import type { ErrorClass } from '@kingbridge/contracts';
import type { FetchFn, PipelineError } from '@kingbridge/pipeline-core';
import type { z } from 'zod';
import { classifyHttpStatus, kingdeeError } from './kingdee-error.classifier';

export type { FetchFn } from '@kingbridge/pipeline-core';

export interface KingdeeHttpRequest {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

export interface KingdeeHttpResponse {
  readonly status: number;
  readonly text: string;
  readonly setCookies: readonly string[];
  readonly retryAfterMs: number | undefined;
}

/** Hooks for metrics (the service passes prom-client callbacks; the lib imports none). */
export interface KingdeeRequestHooks {
  onRequest?(info: {
    endpoint: string;
    outcome: 'ok' | ErrorClass;
    seconds: number;
  }): void;
}

/**
 * One HTTP round trip with a timeout (AbortSignal). Transport failures become
 * classified errors (`timeout` / `network`), never raw exceptions.
 */
export async function kingdeeFetch(
  fetchFn: FetchFn,
  req: KingdeeHttpRequest,
  target: string,
): Promise<KingdeeHttpResponse> {
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
  try {
    const res = await fetchFn(req.url, {
      method: req.method,
      headers: req.headers,
      ...(req.body !== undefined ? { body: req.body } : {}),
      signal,
    });
    const text = await res.text();
    const retryAfter = Number(res.headers.get('retry-after') ?? '');
    return {
      status: res.status,
      text,
      setCookies: res.headers.getSetCookie(),
      retryAfterMs:
        Number.isFinite(retryAfter) && retryAfter > 0
          ? retryAfter * 1000
          : undefined,
    };
  } catch (err) {
    if (timeout.aborted && !req.signal?.aborted) {
      throw kingdeeError(
        'timeout',
        `${target}: no answer within ${req.timeoutMs} ms`,
        { cause: err },
      );
    }
    throw kingdeeError('network', `${target}: ${describeNetworkError(err)}`, {
      cause: err,
    });
  }
}

function describeNetworkError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code
    ? `${err.message} (${cause.code})`
    : cause?.message
      ? `${err.message} (${cause.message})`
      : err.message;
}

/**
 * Parses a Kingdee answer: HTML pages, empty bodies and non-JSON text become
 * `bad_response` (non-2xx statuses their HTTP class), and the JSON is checked
 * with `schema`. Returns the value or throws a classified PipelineError.
 */
export function parseKingdeeJson<S extends z.ZodType>(
  res: KingdeeHttpResponse,
  schema: S,
  target: string,
): z.output<S> {
  const snippet = res.text.replace(/\s+/g, ' ').slice(0, 200);
  let json: unknown;
  const trimmed = res.text.trim();
  if (trimmed === '') {
    throw fail(res, target, `empty body (HTTP ${res.status})`, 'bad_response');
  }
  try {
    json = JSON.parse(trimmed);
  } catch {
    // HTML error pages come from proxies / IIS in front of Kingdee: a bad answer, whatever the status.
    if (/^<(!doctype|html)/i.test(trimmed))
      throw fail(
        res,
        target,
        `HTML page (HTTP ${res.status}): ${snippet}`,
        'bad_response',
      );
    throw fail(
      res,
      target,
      `non-JSON answer (HTTP ${res.status}): ${snippet}`,
      'bad_response',
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw fail(
      res,
      target,
      `unexpected answer (HTTP ${res.status}): ${snippet}`,
    );
  }
  return parsed.data;
}

function fail(
  res: KingdeeHttpResponse,
  target: string,
  what: string,
  forced?: ErrorClass,
): PipelineError {
  // 429 stays `throttled` whatever the body, so Retry-After is honoured.
  const errorClass: ErrorClass =
    res.status === 429
      ? 'throttled'
      : (forced ??
        (res.status >= 200 && res.status < 300
          ? 'bad_response'
          : classifyHttpStatus(res.status)));
  return kingdeeError(errorClass, `${target}: ${what}`, {
    ...(res.retryAfterMs !== undefined
      ? { retryAfterMs: res.retryAfterMs }
      : {}),
  });
}
