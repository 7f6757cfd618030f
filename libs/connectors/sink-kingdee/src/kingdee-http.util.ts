import type { ErrorClass } from '@kingbridge/contracts';
import {
  HttpTransportError,
  httpRequest,
  type FetchFn,
  type HttpRequest,
  type HttpResponse,
  type PipelineError,
} from '@kingbridge/pipeline-core';
import type { z } from 'zod';
import { classifyHttpStatus, kingdeeError } from './kingdee-error.classifier';

export type { FetchFn } from '@kingbridge/pipeline-core';

export type KingdeeHttpRequest = HttpRequest;
export type KingdeeHttpResponse = HttpResponse;

/** Hooks for metrics (the service passes prom-client callbacks; the lib imports none). */
export interface KingdeeRequestHooks {
  onRequest?(info: {
    endpoint: string;
    outcome: 'ok' | ErrorClass;
    seconds: number;
  }): void;
}

/**
 * One HTTP round trip with a timeout (`httpRequest` of pipeline-core). Transport failures become
 * classified errors (`timeout` / `network`), never raw exceptions; `Retry-After: 0` counts as none.
 */
export async function kingdeeFetch(
  fetchFn: FetchFn,
  req: KingdeeHttpRequest,
  target: string,
): Promise<KingdeeHttpResponse> {
  try {
    const res = await httpRequest(fetchFn, req);
    return res.retryAfterMs === 0 ? { ...res, retryAfterMs: undefined } : res;
  } catch (err) {
    if (!(err instanceof HttpTransportError)) throw err;
    throw kingdeeError(
      err.errorClass,
      err.errorClass === 'timeout'
        ? `${target}: no answer within ${req.timeoutMs} ms`
        : `${target}: ${err.message}`,
      { cause: err.cause },
    );
  }
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
  // Only for an error message: a good answer is not copied for it.
  const snippet = (): string => res.text.replace(/\s+/g, ' ').slice(0, 200);
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
        `HTML page (HTTP ${res.status}): ${snippet()}`,
        'bad_response',
      );
    throw fail(
      res,
      target,
      `non-JSON answer (HTTP ${res.status}): ${snippet()}`,
      'bad_response',
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw fail(
      res,
      target,
      `unexpected answer (HTTP ${res.status}): ${snippet()}`,
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
