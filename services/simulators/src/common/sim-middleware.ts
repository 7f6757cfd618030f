import type { GarbageKind } from './fault.schema';
import { stringifyWithBigInt } from './json-bigint.util';
import type {
  Exchange,
  Middleware,
  Reply,
  SimResult,
  SimServerSpec,
} from './sim-types';

const NGINX_502 =
  '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';

/** Concurrency and rate limits of `spec.limits`, answered with `spec.overLimit`. */
export function admissionMiddleware(spec: SimServerSpec): Middleware {
  const acceptedAt: number[] = [];
  return async ({ req, stats, release }, next) => {
    const { maxConcurrent, rateLimitPerMinute = 0 } = spec.limits ?? {};
    const reject = (): Reply => {
      release();
      return { ...overLimit(spec, req), outcome: 'throttled' };
    };
    if (maxConcurrent !== undefined && stats.inFlight > maxConcurrent) {
      stats.rejectedOverLimit += 1;
      return reject();
    }
    if (rateLimitPerMinute > 0) {
      const nowMs = Date.now();
      while (acceptedAt.length > 0 && (acceptedAt[0] ?? 0) <= nowMs - 60_000)
        acceptedAt.shift();
      if (acceptedAt.length >= rateLimitPerMinute) {
        stats.rejectedRateLimited += 1;
        return reject();
      }
      acceptedAt.push(nowMs);
    }
    stats.maxConcurrent = Math.max(stats.maxConcurrent, stats.inFlight);
    return next();
  };
}

/**
 * The fault middleware of every simulator: draws the fault of a request (queued first, then the rates),
 * answers the ones that skip the handler, adds the latency, and after the handler loses or garbles the
 * answer. A client that gave up during the latency still gets its request carried out (like IIS).
 */
export function faultMiddleware(spec: SimServerSpec): Middleware {
  const { faults } = spec;
  return async ({ req, res, endpoint }, next) => {
    const fault = faults.decide(endpoint, req.path) ?? undefined;
    if (fault === 'reset' || fault === 'hang') return { drop: fault, fault };
    const delay = faults.latencyMs(endpoint, req.path);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const handled = async (): Promise<SimResult> => {
      const result = (await next()) as SimResult;
      await spec.afterHandle?.({ path: req.path, fault });
      return result;
    };
    if (res.destroyed) {
      if (fault === undefined || fault === 'lost-response') await handled();
      return { drop: 'reset', ...(fault ? { fault } : {}) };
    }
    switch (fault) {
      case 'http-5xx': {
        const status = faults.pick5xx();
        return {
          status,
          text: `${status} Service Unavailable`,
          headers: { 'content-type': 'text/plain; charset=utf-8' },
          fault,
        };
      }
      case 'html-error':
        return {
          status: 502,
          text: spec.htmlErrorPage ?? NGINX_502,
          headers: { 'content-type': 'text/html; charset=utf-8' },
          fault,
        };
      case 'empty-body':
        return {
          status: 200,
          text: '',
          headers: { 'content-type': 'application/json; charset=utf-8' },
          fault,
        };
      case 'error':
        return { ...spec.platformError('fault', req), fault };
      case 'over-limit':
        return { ...overLimit(spec, req), fault };
      case 'lost-response':
        // The write is done; the client must not learn it.
        return {
          drop: faults.current.lostResponseMode,
          fault,
          status: (await handled()).status,
        };
      case 'garbage':
        return {
          ...garble(await handled(), faults.garbageKind()),
          fault,
        };
      case undefined:
        return handled();
    }
  };
}

function overLimit(spec: SimServerSpec, req: Exchange['req']): SimResult {
  return spec.overLimit?.(req) ?? spec.platformError('fault', req);
}

function garble(result: SimResult, kind: GarbageKind): SimResult {
  const text =
    result.text ??
    (result.body === undefined ? '' : stringifyWithBigInt(result.body));
  const headers = { 'content-type': 'application/json; charset=utf-8' };
  switch (kind) {
    case 'truncated':
      return {
        ...result,
        status: 200,
        headers,
        text: text.slice(0, Math.max(1, Math.floor(text.length / 2))),
      };
    case 'html':
      return {
        ...result,
        status: 200,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        text: NGINX_502,
      };
    case 'empty':
      return { ...result, status: 200, headers, text: '' };
  }
}
