import type { SourceEntity } from '@kingbridge/contracts';
import { formatZodIssues, zodPath } from '@kingbridge/contracts';
import type { z } from 'zod';
import {
  chinaTimeToIso,
  formatChinaTime,
  type FetchFn,
  type HttpResponse,
  newRequestId,
  type PageQuery,
  type RequestHooks,
  type SourcePage,
  type RequestOutcome,
  requestOutcomeOf,
  sendSourceRequest,
} from '@kingbridge/source-kit';
import { XiaomanRequestError } from './xiaoman-request.error';
import {
  xiaomanInfoResponseSchema,
  xiaomanListResponseSchema,
  xiaomanOrderSchema,
  xiaomanTokenSchema,
} from './xiaoman.schemas';

export const XIAOMAN_DEFAULT_BASE_URL = 'https://api-sandbox.xiaoman.cn';
export const XIAOMAN_TOKEN_PATH = '/v1/oauth2/access_token';
export const XIAOMAN_ORDER_LIST_PATH = '/v1/invoices/order/list';
export const XIAOMAN_ORDER_INFO_PATH = '/v1/invoices/order/info';
/** No maximum documented; we keep windows at 7 days. */
export const XIAOMAN_MAX_WINDOW_MS = 7 * 24 * 3600_000;
export const XIAOMAN_MAX_PAGE_SIZE = 200;
/** Tokens live ~8 h; refresh 5 minutes early. */
const TOKEN_TTL_MS = 8 * 3600_000;
const TOKEN_MARGIN_MS = 5 * 60_000;

export interface XiaomanCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
  /** OAuth scope; `invoices` covers orders. */
  readonly scope?: string;
}

export interface XiaomanClientOptions {
  readonly baseUrl: string;
  readonly credentials: XiaomanCredentials;
  readonly timeoutMs?: number;
  readonly hooks?: RequestHooks;
  readonly fetch?: FetchFn;
  readonly now?: () => Date;
}

/**
 * OKKI (小满) CRM client: OAuth2 client_credentials token (cached ~8 h,
 * force-refreshed once on a 401), Bearer GET calls. Entity: `sales-order`.
 */
export class XiaomanClient {
  readonly platform = 'xiaoman' as const;
  readonly entities: readonly SourceEntity[] = ['sales-order'];
  private readonly fetchFn: FetchFn;
  private readonly now: () => Date;
  private token: { value: string; expiresAt: number } | undefined;
  private tokenPromise: Promise<string> | undefined;

  constructor(private readonly options: XiaomanClientOptions) {
    this.fetchFn = options.fetch ?? fetch;
    this.now = options.now ?? (() => new Date());
  }

  maxWindowMs(_entity: SourceEntity): number {
    return XIAOMAN_MAX_WINDOW_MS;
  }

  async fetchPage(query: PageQuery, signal?: AbortSignal): Promise<SourcePage> {
    if (query.entity !== 'sales-order')
      throw new Error(`xiaoman: unsupported entity ${query.entity}`);
    const count = Math.max(
      1,
      Math.min(XIAOMAN_MAX_PAGE_SIZE, query.pageSize ?? 100),
    );
    const startIndex = (query.page?.index ?? 0) + 1;
    const { details = 1, ...listParams } = query.params;
    const search = new URLSearchParams();
    // The plan's params are sent as written (seed 004: removed 0, approval 0, status "0"). time_type
    // is sent only when the plan names it: the API's default 1 (更新时间) is the window field.
    for (const [k, v] of Object.entries(listParams))
      search.set(k, Array.isArray(v) ? v.join(',') : String(v));
    search.set(
      query.timeParams?.from ?? 'start_time',
      formatChinaTime(query.from),
    );
    search.set(query.timeParams?.to ?? 'end_time', formatChinaTime(query.to));
    search.set('count', String(count));
    search.set('start_index', String(startIndex));
    const endpoint = 'invoices/order/list';
    const requestId = newRequestId();
    const res = await this.authorizedGet(
      endpoint,
      `${XIAOMAN_ORDER_LIST_PATH}?${search.toString()}`,
      requestId,
      signal,
    );
    const body = validate(
      xiaomanListResponseSchema,
      parseJson(res, requestId, endpoint),
      requestId,
      endpoint,
      '',
    );
    if (body.code !== 200)
      throw classifyFailure(body.code, body.message ?? '', requestId, endpoint);
    const list = body.data?.list ?? [];
    const orders = list.map((raw, i) => {
      const order = validate(
        xiaomanOrderSchema,
        raw,
        requestId,
        endpoint,
        `data.list[${i}]`,
      );
      return toRecord(order, raw, requestId, endpoint, `data.list[${i}]`);
    });
    const records = [];
    // The list has no line items (product_list): by default each order is read in full from
    // /v1/invoices/order/info (params.details = 0 turns that off).
    for (const order of orders) {
      if (String(details) === '0') {
        records.push(order);
        continue;
      }
      const info = () => this.fetchOrderInfo(order.sourceId, signal);
      const full = this.options.hooks?.retry
        ? await this.options.hooks.retry(info, signal)
        : await info();
      records.push(full ?? order);
    }
    const total = body.data?.count;
    const seen = (startIndex - 1) * count + list.length;
    const hasNext =
      list.length >= count && (total === undefined || seen < total);
    return {
      records,
      total,
      next: hasNext ? { index: startIndex } : null,
      requestId,
    };
  }

  /** One order in full (with `product_list`); undefined when it was deleted meanwhile. */
  async fetchOrderInfo(
    orderId: string,
    signal?: AbortSignal,
  ): Promise<XiaomanRecord | undefined> {
    const endpoint = 'invoices/order/info';
    const requestId = newRequestId();
    const res = await this.authorizedGet(
      endpoint,
      `${XIAOMAN_ORDER_INFO_PATH}?order_id=${encodeURIComponent(orderId)}`,
      requestId,
      signal,
    );
    if (res.status === 404) return undefined;
    const body = validate(
      xiaomanInfoResponseSchema,
      parseJson(res, requestId, endpoint),
      requestId,
      endpoint,
      '',
    );
    if (body.code !== 200)
      throw classifyFailure(body.code, body.message ?? '', requestId, endpoint);
    const order = validate(
      xiaomanOrderSchema,
      body.data,
      requestId,
      endpoint,
      'data',
    );
    return toRecord(order, body.data, requestId, endpoint, 'data');
  }

  /** GET with the bearer token; a 401 forces one token refresh and one retry. */
  private async authorizedGet(
    endpoint: string,
    pathAndQuery: string,
    requestId: string,
    signal: AbortSignal | undefined,
  ): Promise<HttpResponse> {
    let token = await this.accessToken(signal);
    let res = await this.request(
      endpoint,
      'GET',
      pathAndQuery,
      requestId,
      signal,
      { authorization: `Bearer ${token}` },
    );
    if (res.status === 401) {
      this.token = undefined;
      token = await this.accessToken(signal);
      res = await this.request(
        endpoint,
        'GET',
        pathAndQuery,
        requestId,
        signal,
        { authorization: `Bearer ${token}` },
      );
      if (res.status === 401) {
        throw new XiaomanRequestError('auth', 'HTTP 401 after a fresh token', {
          requestId,
          endpoint,
        });
      }
    }
    return res;
  }

  private async accessToken(signal: AbortSignal | undefined): Promise<string> {
    if (this.token && this.token.expiresAt > this.now().getTime())
      return this.token.value;
    this.tokenPromise ??= this.fetchToken(signal).finally(() => {
      this.tokenPromise = undefined;
    });
    return this.tokenPromise;
  }

  private async fetchToken(signal: AbortSignal | undefined): Promise<string> {
    const endpoint = 'oauth2/access_token';
    const requestId = newRequestId();
    const { clientId, clientSecret, scope } = this.options.credentials;
    const res = await this.request(
      endpoint,
      'POST',
      XIAOMAN_TOKEN_PATH,
      requestId,
      signal,
      {
        'content-type': 'application/json',
      },
      JSON.stringify({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: clientSecret,
        scope: scope ?? 'invoices',
      }),
    );
    if (res.status === 400 || res.status === 401 || res.status === 403) {
      throw new XiaomanRequestError(
        'auth',
        `token request refused (HTTP ${res.status})`,
        { requestId, endpoint },
      );
    }
    const json = parseJson(res, requestId, endpoint);
    const code = (json as { code?: unknown }).code;
    if (
      typeof code === 'number' &&
      code !== 200 &&
      !(json as { access_token?: unknown }).access_token
    ) {
      throw new XiaomanRequestError(
        'auth',
        `token request refused (code ${code})`,
        { requestId, endpoint },
      );
    }
    const token = validate(xiaomanTokenSchema, json, requestId, endpoint, '');
    const ttl = (token.expires_in ?? TOKEN_TTL_MS / 1000) * 1000;
    this.token = {
      value: token.access_token,
      expiresAt: this.now().getTime() + Math.max(60_000, ttl - TOKEN_MARGIN_MS),
    };
    return token.access_token;
  }

  private async request(
    endpoint: string,
    method: 'GET' | 'POST',
    pathAndQuery: string,
    requestId: string,
    signal: AbortSignal | undefined,
    headers: Record<string, string>,
    body?: string,
  ): Promise<HttpResponse> {
    const hooks = this.options.hooks;
    const ticket = await hooks?.beforeRequest?.(endpoint, signal);
    const started = performance.now();
    let outcome: RequestOutcome = 'error';
    try {
      const res = await sendSourceRequest(
        XiaomanRequestError,
        this.fetchFn,
        {
          url: `${this.options.baseUrl.replace(/\/$/, '')}${pathAndQuery}`,
          method,
          headers: { ...headers, 'x-request-id': requestId },
          body,
          timeoutMs: this.options.timeoutMs ?? 60_000,
          signal,
        },
        { requestId, endpoint },
      );
      outcome = res.status === 401 ? 'auth_error' : 'ok';
      return res;
    } catch (err) {
      if (err instanceof XiaomanRequestError) outcome = outcomeOf(err);
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
}

interface XiaomanRecord {
  sourceId: string;
  modifiedAt: string;
  payload: Record<string, unknown>;
}

function toRecord(
  order: z.output<typeof xiaomanOrderSchema>,
  raw: unknown,
  requestId: string,
  endpoint: string,
  path: string,
): XiaomanRecord {
  const modifiedAt = chinaTimeToIso(order.update_time);
  if (!modifiedAt) {
    throw new XiaomanRequestError(
      'invalid_response',
      'update_time is not yyyy-MM-dd HH:mm:ss',
      {
        requestId,
        endpoint,
        fieldPath: `${path}.update_time`,
      },
    );
  }
  return {
    sourceId: order.order_id,
    modifiedAt,
    payload: raw as Record<string, unknown>,
  };
}

function parseJson(
  res: HttpResponse,
  requestId: string,
  endpoint: string,
): unknown {
  try {
    return JSON.parse(res.text);
  } catch {
    throw new XiaomanRequestError(
      'invalid_response',
      `HTTP ${res.status}: body is not JSON`,
      {
        requestId,
        endpoint,
        fieldPath: '(root)',
      },
    );
  }
}

function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
  requestId: string,
  endpoint: string,
  prefix: string,
): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const sub = issue ? zodPath(issue.path) : '(root)';
  const fieldPath = !prefix
    ? sub
    : sub === '(root)'
      ? prefix
      : `${prefix}${sub.startsWith('[') ? '' : '.'}${sub}`;
  throw new XiaomanRequestError(
    'invalid_response',
    `invalid response: ${formatZodIssues(parsed.error)}`,
    {
      requestId,
      endpoint,
      fieldPath,
    },
  );
}

function classifyFailure(
  code: number,
  message: string,
  requestId: string,
  endpoint: string,
): XiaomanRequestError {
  const text = `code ${code}: ${message}`;
  if (code === 429 || /频|限流|too many|throttl|rate limit/i.test(message)) {
    return new XiaomanRequestError('throttle', text, { requestId, endpoint });
  }
  if (
    code === 401 ||
    code === 403 ||
    /permission|scope|token|授权|无权限/i.test(message)
  ) {
    return new XiaomanRequestError('auth', text, { requestId, endpoint });
  }
  if (code >= 500)
    return new XiaomanRequestError('transient', text, {
      requestId,
      endpoint,
      errorClass: 'server_error',
    });
  return new XiaomanRequestError('rejected', text, { requestId, endpoint });
}

function outcomeOf(err: XiaomanRequestError): RequestOutcome {
  return requestOutcomeOf(err.kind);
}
