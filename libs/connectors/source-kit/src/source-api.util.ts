import {
  formatZodIssues,
  type SourceEntity,
  type SourcePlatform,
  zodPath,
} from '@kingbridge/contracts';
import type { z } from 'zod';
import { chinaTimeToIso, formatChinaTime } from './china-time.util';
import {
  type FetchFn,
  formBody,
  type HttpResponse,
  newRequestId,
} from './http.util';
import type {
  PageQuery,
  QueryParamValue,
  RequestHooks,
  RequestOutcome,
  SourcePage,
  SourceRecord,
} from './source-connector.port';
import type { SourcePlatformLimits } from './platform-limits.util';
import {
  type SourceErrorKind,
  SourceRequestError,
  type SourceRequestErrorConstructor,
  type SourceRequestErrorDetails,
} from './source-request.error';
import { requestOutcomeOf, sendSourceRequest } from './source-request.util';
import type { SourceRecordWire } from './wire-schema.util';

/** Which request a failure belongs to (in every error message and log line). */
export interface SourceRequestIds {
  readonly requestId: string;
  readonly endpoint: string;
}

export interface SourceApiOptions {
  /** Origin of the platform (or of its simulator); a trailing `/` is ignored. */
  readonly baseUrl: string;
  /** Per-request timeout. */
  readonly timeoutMs: number;
  readonly hooks?: RequestHooks;
  readonly fetch?: FetchFn;
}

export interface SourceApiRequest {
  readonly path: string;
  readonly method: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal?: AbortSignal;
}

/** Options of `SourceApi.validate`: where the value sits in the answer, and what it is (for the message). */
export interface ValidateOptions {
  /** Path of the value inside the answer, e.g. `data.list[3]` (prefixed to the zod path). */
  readonly at?: string;
  /** Noun of the message `invalid <what>: …` (default `response`). */
  readonly what?: string;
}

/**
 * The call skeleton every source client shares, once: request (the runtime's hooks around it: rate limiter
 * ticket, outcome, duration), transport failures / 429 / 5xx as the platform's request error, JSON body,
 * zod validation naming the field path, and the platform's own failures as an error of a kind. A client keeps only
 * what is platform-specific: signing, the envelope, its failure codes and the paging of its entities.
 */
export class SourceApi {
  private readonly fetchFn: FetchFn;

  constructor(
    /** The platform's `SourceRequestError` subclass (its name is in logs). */
    readonly RequestError: SourceRequestErrorConstructor,
    private readonly options: SourceApiOptions,
  ) {
    this.fetchFn = options.fetch ?? fetch;
  }

  /** The ids of a new request to `endpoint` (a fresh request id). */
  ids(endpoint: string): SourceRequestIds {
    return { requestId: newRequestId(), endpoint };
  }

  /**
   * Runs `call` between the hooks: `beforeRequest` (awaited, may wait for the rate limiter), then `afterRequest`
   * with the outcome (`okOutcome` of the result, or the kind of the request error thrown) and the duration.
   */
  async withHooks<T>(
    endpoint: string,
    signal: AbortSignal | undefined,
    call: () => Promise<T>,
    okOutcome: (result: T) => RequestOutcome = () => 'ok',
  ): Promise<T> {
    const hooks = this.options.hooks;
    const ticket = await hooks?.beforeRequest?.(endpoint, signal);
    const started = performance.now();
    let outcome: RequestOutcome = 'error';
    try {
      const result = await call();
      outcome = okOutcome(result);
      return result;
    } catch (err) {
      if (err instanceof SourceRequestError)
        outcome = requestOutcomeOf(err.kind);
      throw err;
    } finally {
      hooks?.afterRequest?.(
        endpoint,
        outcome,
        (performance.now() - started) / 1000,
        ticket,
      );
    }
  }

  /** Runs one sub-request of a page with the runtime's retry policy, when the runtime gives one. */
  retry<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const hooks = this.options.hooks;
    return hooks?.retry ? hooks.retry(call, signal) : call();
  }

  /** One HTTP round trip to `path` (no hooks); network, timeout, 429 and 5xx throw the request error. */
  send(req: SourceApiRequest, ids: SourceRequestIds): Promise<HttpResponse> {
    return sendSourceRequest(
      this.RequestError,
      this.fetchFn,
      {
        url: `${this.options.baseUrl.replace(/\/$/, '')}${req.path}`,
        method: req.method,
        headers: req.headers,
        body: req.body,
        timeoutMs: this.options.timeoutMs,
        signal: req.signal,
      },
      ids,
    );
  }

  /** `send` of a UTF-8 form POST (`application/x-www-form-urlencoded`). */
  postForm(
    path: string,
    params: Readonly<Record<string, string>>,
    ids: SourceRequestIds,
    signal: AbortSignal | undefined,
  ): Promise<HttpResponse> {
    return this.send(
      {
        path,
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded;charset=utf-8',
        },
        body: formBody(params),
        signal,
      },
      ids,
    );
  }

  /** The body as JSON (`parse` may keep big integers exact); not JSON is an `invalid_response` at `(root)`. */
  json(
    res: HttpResponse,
    ids: SourceRequestIds,
    parse: (text: string) => unknown = JSON.parse,
  ): unknown {
    try {
      return parse(res.text);
    } catch {
      throw this.error(
        'invalid_response',
        `HTTP ${res.status}: body is not JSON`,
        ids,
        { fieldPath: '(root)' },
      );
    }
  }

  /** `value` parsed by `schema`, or an `invalid_response` naming the first bad field (prefixed by `at`). */
  validate<S extends z.ZodType>(
    schema: S,
    value: unknown,
    ids: SourceRequestIds,
    options: ValidateOptions = {},
  ): z.output<S> {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const sub = issue ? zodPath(issue.path) : '(root)';
    const at = options.at ?? '';
    const fieldPath = !at
      ? sub
      : sub === '(root)'
        ? at
        : `${at}${sub.startsWith('[') ? '' : '.'}${sub}`;
    throw this.error(
      'invalid_response',
      `invalid ${options.what ?? 'response'}: ${formatZodIssues(parsed.error)}`,
      ids,
      { fieldPath },
    );
  }

  /** A record's modified time (Beijing `yyyy-MM-dd HH:mm:ss`) as ISO, or an `invalid_response` at `fieldPath`. */
  modifiedAt(
    value: string | null | undefined,
    ids: SourceRequestIds,
    fieldPath: string,
    message: string,
  ): string {
    const iso = chinaTimeToIso(value);
    if (!iso) throw this.error('invalid_response', message, ids, { fieldPath });
    return iso;
  }

  /** One item of an answer (at `at`) as a record: validated by `wire`, its id, its modified time as ISO, as sent. */
  record(
    wire: SourceRecordWire,
    raw: unknown,
    ids: SourceRequestIds,
    at: string,
  ): SourceRecord {
    const item = this.validate(wire.schema, raw, ids, { at, what: wire.what });
    const modified = item[wire.modifiedField];
    return {
      sourceId: String(item[wire.idField]),
      modifiedAt: this.modifiedAt(
        typeof modified === 'string' ? modified : undefined,
        ids,
        `${at}.${wire.modifiedField}`,
        `${wire.modifiedField} is not yyyy-MM-dd HH:mm:ss`,
      ),
      payload: raw as Record<string, unknown>,
    };
  }

  /**
   * The platform's error of `kind`; a `transient` platform failure (system busy, timeout) is a `server_error`
   * unless `details` says otherwise.
   */
  error(
    kind: SourceErrorKind,
    message: string,
    ids: SourceRequestIds,
    details: Omit<SourceRequestErrorDetails, 'requestId' | 'endpoint'> = {},
  ): SourceRequestError {
    return new this.RequestError(kind, message, {
      ...(kind === 'transient' ? { errorClass: 'server_error' as const } : {}),
      ...details,
      ...ids,
    });
  }
}

/** `size` (or `fallback`) within `1..max`. */
export function clampPageSize(
  size: number | undefined,
  max: number,
  fallback = max,
): number {
  return Math.max(1, Math.min(max, size ?? fallback));
}

/** A plan's query params as the platform's flat values: lists joined with `,`. */
export function flatParams(
  params: Readonly<Record<string, QueryParamValue>>,
): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(params))
    out[k] = Array.isArray(v) ? v.join(',') : (v as string | number | boolean);
  return out;
}

/** What every source client is built with, besides its credentials. */
export interface SourceClientOptions {
  /** Origin of the platform, e.g. its simulator `http://127.0.0.1:18101`. */
  readonly baseUrl: string;
  /** Per-request timeout (each client has its default). */
  readonly timeoutMs?: number;
  /** The runtime's hooks around each request (rate limiter, metrics, retry). */
  readonly hooks?: RequestHooks;
  readonly fetch?: FetchFn;
  /** Clock of the signatures' timestamps (tests). */
  readonly now?: () => Date;
}

/** How a client pages one entity: the params of its window's bounds, its default page size, a full scan. */
export interface EntityPaging {
  /** Param of the window's start (a plan's `timeParams` win). */
  readonly from: string;
  /** Param of the window's end. */
  readonly to: string;
  /** Page size when the plan gives none (default: the platform maximum). */
  readonly pageSize?: number;
  /** The entity can be listed without a time filter (master data's first sync). */
  readonly fullScan?: boolean;
}

/** The page window of a query: what `fetchPage` reads of it before the client's `fetchEntityPage`. */
export interface PageWindow {
  /** The plan's page size (or the default) within `1..maxPageSize`. */
  readonly size: number;
  /** 0-based page index (`query.page.index`, 0 for the first page). */
  readonly index: number;
  /** The window's bounds as Beijing time, under the plan's `timeParams` names or the entity's defaults. */
  readonly window: Readonly<Record<string, string>>;
}

/** One page to fetch, as `fetchPage` hands it to the client: the query, its page window, the abort signal. */
export interface EntityPageRequest extends PageWindow {
  readonly query: PageQuery;
  readonly signal: AbortSignal | undefined;
}

/**
 * The part every source client shares: its `SourceApi`, its clock, its limits and its entities. `fetchPage`
 * refuses an entity the client does not serve, reads the query's page window, then asks the client's
 * `fetchEntityPage`.
 */
export abstract class SourceClientBase {
  abstract readonly platform: SourcePlatform;
  /** Each entity the client serves, and how it is paged. */
  protected abstract readonly paging: Readonly<
    Record<SourceEntity, EntityPaging>
  >;
  protected readonly api: SourceApi;
  protected readonly now: () => Date;

  /** `defaultTimeoutMs`: the per-request timeout when the options give none. */
  protected constructor(
    RequestError: SourceRequestErrorConstructor,
    options: SourceClientOptions,
    private readonly limits: SourcePlatformLimits,
    defaultTimeoutMs: number,
  ) {
    this.api = new SourceApi(RequestError, {
      baseUrl: options.baseUrl,
      timeoutMs: options.timeoutMs ?? defaultTimeoutMs,
      hooks: options.hooks,
      fetch: options.fetch,
    });
    this.now = options.now ?? (() => new Date());
  }

  /** The entities of `paging`. */
  get entities(): readonly SourceEntity[] {
    return Object.keys(this.paging);
  }

  maxWindowMs(_entity: SourceEntity): number {
    return this.limits.maxWindowMs;
  }

  supportsFullScan(entity: SourceEntity): boolean {
    return this.pagingOf(entity)?.fullScan === true;
  }

  /** One page of `query.entity` (a plan error when this client does not serve it). */
  async fetchPage(query: PageQuery, signal?: AbortSignal): Promise<SourcePage> {
    const paging = this.pagingOf(query.entity);
    if (!paging)
      throw new Error(`${this.platform}: unsupported entity ${query.entity}`);
    return this.fetchEntityPage({
      query,
      signal,
      ...pageWindow(query, paging, this.limits.maxPageSize),
    });
  }

  /** One page of an entity of `paging`. */
  protected abstract fetchEntityPage(
    req: EntityPageRequest,
  ): Promise<SourcePage>;

  private pagingOf(entity: SourceEntity): EntityPaging | undefined {
    return Object.hasOwn(this.paging, entity) ? this.paging[entity] : undefined;
  }
}

/**
 * The page size (the entity's default, else the platform maximum, when the plan gives none), the page index and
 * the window's bounds under the entity's params (the plan's `timeParams` win).
 */
function pageWindow(
  query: PageQuery,
  paging: EntityPaging,
  maxPageSize: number,
): PageWindow {
  const names = query.timeParams ?? paging;
  return {
    size: clampPageSize(query.pageSize, maxPageSize, paging.pageSize),
    index: query.page?.index ?? 0,
    window: {
      [names.from]: formatChinaTime(query.from),
      [names.to]: formatChinaTime(query.to),
    },
  };
}
