import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { FaultInjector } from './fault-injector';
import type { FaultKind, LoggedFault } from './fault.schema';
import type { RequestLog, RequestOutcome } from './request-log';

// The types of the one simulator HTTP stack (sim-server.ts runs it, sim-middleware.ts holds its stages).

/** A parsed incoming request, as handed to a simulator. */
export interface SimRequest {
  /** Upper-cased method. */
  method: string;
  /** Path without query string, e.g. `/open/openapi/do`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Raw body (UTF-8). */
  body: string;
  /** Lower-cased media type without parameters (`application/x-www-form-urlencoded`), '' when absent. */
  contentType: string;
  /** Parsed body when the content type is form-urlencoded, else empty. */
  form: URLSearchParams;
  /** Simulator-clock ms at arrival. */
  at: number;
  /** Wall-clock ms at arrival. */
  wallAt: number;
  /** Non-admin requests in flight on this simulator, this one included (for concurrency limits). */
  inFlight: number;
  /** Client address as seen by the socket (e.g. `127.0.0.1`). */
  remoteAddress: string;
}

/** An answer. `body` is JSON-serialised (bigint -> bare integer literal) unless `text` is given. */
export interface SimResponse {
  status: number;
  body?: unknown;
  text?: string;
  headers?: Record<string, string | string[]>;
}

/** A handler's answer plus what the request log records about it. */
export interface SimResult extends SimResponse {
  /** Default `ok`. */
  outcome?: RequestOutcome;
  /** Platform code of the answer (logged, e.g. '10', '0130020327'). */
  code?: string | number;
  /** A fault the handler itself injected (e.g. 'corrupt-record'), for the request log. */
  fault?: LoggedFault;
  /** Extra real-time delay before answering (e.g. query cost proportional to the rows scanned). */
  delayMs?: number;
}

/** Extra admin route of one simulator, served under `/__admin<path>` when admin is enabled. */
export interface AdminRoute {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path after `/__admin`, e.g. `/records`. */
  path: string;
  /** Returns the JSON answer (HTTP 200). Throw `AdminError` or a ZodError for a 4xx. */
  handle(req: SimRequest): unknown;
}

/** What a simulator plugs into the one simulator HTTP stack. */
export interface SimServerSpec {
  /** Short name, used in logs (`jackyun`, `k3cloud`, …). */
  name: string;
  clock: () => number;
  faults: FaultInjector;
  log: RequestLog;
  adminEnabled: boolean;
  /** Endpoint name of a non-admin request (API method name or path); used by fault filters and the log. */
  endpointOf(req: SimRequest): string;
  /** Serves one non-admin request. Thrown errors become `platformError('internal')` (never a stack trace). */
  handle(req: SimRequest, endpoint: string): SimResult | Promise<SimResult>;
  /** The platform's own error envelope for an injected error, an internal error or an unknown path. */
  platformError(
    kind: 'fault' | 'internal' | 'not_found' | 'too_large',
    req: SimRequest,
  ): SimResult;
  /** The platform's over-limit answer (concurrency / rate limits of `limits`, the `over-limit` fault). */
  overLimit?(req: SimRequest): SimResult;
  /** Requests in flight / per sliding minute above which `overLimit` answers (default: no limit). */
  limits?: ServerLimits;
  /** The page of the `html-error` fault (default: an nginx 502 page). */
  htmlErrorPage?: string;
  /**
   * Called once a request has been handled (a write is stored) and before its answer is sent or dropped
   * (`fault` = `lost-response`): the moment "the platform accepted it, the client never learned it".
   */
  afterHandle?(info: {
    path: string;
    fault: FaultKind | undefined;
  }): void | Promise<void>;
  adminRoutes?: AdminRoute[];
  /** Called by `POST /__admin/reset` (after the log is cleared and faults are restored). */
  onReset?(): void;
  /** More keys of `GET /__admin/stats`. */
  extraStats?(): Record<string, unknown>;
}

/** Counted on arrival (the request log counts on completion). */
export interface ServerStats {
  requests: number;
  /** Requests by lower-cased path. */
  byPath: Record<string, number>;
  inFlight: number;
  maxConcurrent: number;
  rejectedOverLimit: number;
  rejectedRateLimited: number;
  /** Injected faults by kind (drawn, queued or reported by a handler). */
  faults: Partial<Record<LoggedFault, number>>;
}

/** One request on its way through the middleware. */
export interface Exchange {
  readonly req: SimRequest;
  readonly res: ServerResponse;
  readonly endpoint: string;
  readonly stats: ServerStats;
  /** Gives the request's in-flight slot back (a rejected request does not hold one). */
  release(): void;
}

/** An answer to write, or no answer at all: the socket reset or the request left hanging. */
export type Reply =
  | SimResult
  | {
      drop: 'reset' | 'hang';
      fault?: LoggedFault;
      /** Status of the answer the handler produced and the client never got (the log shows it). */
      status?: number;
    };

/** One stage of the request pipeline: answers itself or calls `next` (the later stages, then the handler). */
export type Middleware = (
  exchange: Exchange,
  next: () => Promise<Reply>,
) => Promise<Reply>;

export interface ServerLimits {
  /** Requests in flight above this get the over-limit answer. */
  maxConcurrent?: number;
  /** Requests accepted per sliding (wall-clock) minute; 0 = unlimited. */
  rateLimitPerMinute?: number;
}
