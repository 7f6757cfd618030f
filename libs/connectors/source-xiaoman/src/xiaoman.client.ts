import {
  failureKind,
  type HttpResponse,
  type EntityPageRequest,
  SourceClientBase,
  type SourceClientOptions,
  type SourcePage,
  type SourceRecord,
  type SourceRequestIds,
} from '@kingbridge/source-kit';
import { XiaomanRequestError } from './xiaoman-request.error';
import {
  XIAOMAN_FAILURES,
  XIAOMAN_LIMITS,
  XIAOMAN_ORDER_INFO_PATH,
  XIAOMAN_ORDER_LIST_PATH,
  XIAOMAN_TOKEN_PATH,
  XIAOMAN_TOKEN_TTL_MS,
  xiaomanInfoResponseSchema,
  xiaomanListResponseSchema,
  xiaomanOrderRecord,
  xiaomanTokenSchema,
} from '@kingbridge/source-xiaoman/protocol';

/** Refresh a token 5 minutes before it expires. */
const TOKEN_MARGIN_MS = 5 * 60_000;

export interface XiaomanCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
  /** OAuth scope; `invoices` covers orders. */
  readonly scope?: string;
}

export interface XiaomanClientOptions extends SourceClientOptions {
  readonly credentials: XiaomanCredentials;
}

/**
 * OKKI (小满) CRM client: OAuth2 client_credentials token (cached ~8 h,
 * force-refreshed once on a 401), Bearer GET calls. Entity: `sales-order`.
 */
export class XiaomanClient extends SourceClientBase {
  override readonly platform = 'xiaoman' as const;
  protected override readonly paging = {
    'sales-order': { from: 'start_time', to: 'end_time', pageSize: 100 },
  };
  private token: { value: string; expiresAt: number } | undefined;
  private tokenPromise: Promise<string> | undefined;

  constructor(private readonly options: XiaomanClientOptions) {
    super(XiaomanRequestError, options, XIAOMAN_LIMITS, 60_000);
  }

  protected async fetchEntityPage(req: EntityPageRequest): Promise<SourcePage> {
    const { query, signal, size: count } = req;
    const startIndex = req.index + 1;
    const { details = 1, ...listParams } = query.params;
    const search = new URLSearchParams();
    // The plan's params are sent as written (seed 004: removed 0, approval 0, status "0"). time_type
    // is sent only when the plan names it: the API's default 1 (更新时间) is the window field.
    for (const [k, v] of Object.entries(listParams))
      search.set(k, Array.isArray(v) ? v.join(',') : String(v));
    for (const [k, v] of Object.entries(req.window)) search.set(k, v);
    search.set('count', String(count));
    search.set('start_index', String(startIndex));
    const ids = this.api.ids('invoices/order/list');
    const res = await this.authorizedGet(
      `${XIAOMAN_ORDER_LIST_PATH}?${search.toString()}`,
      ids,
      signal,
    );
    const body = this.api.validate(
      xiaomanListResponseSchema,
      this.api.json(res, ids),
      ids,
    );
    if (body.code !== 200) throw this.failure(body, ids);
    const list = body.data?.list ?? [];
    const orders = list.map((raw, i) =>
      this.api.record(xiaomanOrderRecord, raw, ids, `data.list[${i}]`),
    );
    const records = [];
    // The list has no line items (product_list): by default each order is read in full from
    // /v1/invoices/order/info (params.details = 0 turns that off).
    for (const order of orders) {
      if (String(details) === '0') {
        records.push(order);
        continue;
      }
      const full = await this.api.retry(
        () => this.fetchOrderInfo(order.sourceId, signal),
        signal,
      );
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
      requestId: ids.requestId,
    };
  }

  /** One order in full (with `product_list`); undefined when it was deleted meanwhile. */
  async fetchOrderInfo(
    orderId: string,
    signal?: AbortSignal,
  ): Promise<SourceRecord | undefined> {
    const ids = this.api.ids('invoices/order/info');
    const res = await this.authorizedGet(
      `${XIAOMAN_ORDER_INFO_PATH}?order_id=${encodeURIComponent(orderId)}`,
      ids,
      signal,
    );
    if (res.status === 404) return undefined;
    const body = this.api.validate(
      xiaomanInfoResponseSchema,
      this.api.json(res, ids),
      ids,
    );
    if (body.code !== 200) throw this.failure(body, ids);
    return this.api.record(xiaomanOrderRecord, body.data, ids, 'data');
  }

  /** GET with the bearer token; a 401 forces one token refresh and one retry. */
  private async authorizedGet(
    pathAndQuery: string,
    ids: SourceRequestIds,
    signal: AbortSignal | undefined,
  ): Promise<HttpResponse> {
    const get = async () =>
      this.request(ids, signal, {
        method: 'GET',
        path: pathAndQuery,
        headers: { authorization: `Bearer ${await this.accessToken(signal)}` },
      });
    let res = await get();
    if (res.status === 401) {
      this.token = undefined;
      res = await get();
      if (res.status === 401)
        throw this.api.error('auth', 'HTTP 401 after a fresh token', ids);
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
    const ids = this.api.ids('oauth2/access_token');
    const { clientId, clientSecret, scope } = this.options.credentials;
    const res = await this.request(ids, signal, {
      method: 'POST',
      path: XIAOMAN_TOKEN_PATH,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: clientSecret,
        scope: scope ?? 'invoices',
      }),
    });
    if (res.status === 400 || res.status === 401 || res.status === 403)
      throw this.api.error(
        'auth',
        `token request refused (HTTP ${res.status})`,
        ids,
      );
    const json = this.api.json(res, ids);
    const code = (json as { code?: unknown }).code;
    if (
      typeof code === 'number' &&
      code !== 200 &&
      !(json as { access_token?: unknown }).access_token
    )
      throw this.api.error('auth', `token request refused (code ${code})`, ids);
    const token = this.api.validate(xiaomanTokenSchema, json, ids);
    const ttl = (token.expires_in ?? XIAOMAN_TOKEN_TTL_MS / 1000) * 1000;
    this.token = {
      value: token.access_token,
      expiresAt: this.now().getTime() + Math.max(60_000, ttl - TOKEN_MARGIN_MS),
    };
    return token.access_token;
  }

  /** One HTTP request between the hooks; a 401 answer counts as an auth error (the caller may retry it). */
  private request(
    ids: SourceRequestIds,
    signal: AbortSignal | undefined,
    req: {
      method: 'GET' | 'POST';
      path: string;
      headers: Record<string, string>;
      body?: string;
    },
  ): Promise<HttpResponse> {
    return this.api.withHooks(
      ids.endpoint,
      signal,
      () =>
        this.api.send(
          {
            ...req,
            headers: { ...req.headers, 'x-request-id': ids.requestId },
            signal,
          },
          ids,
        ),
      (res) => (res.status === 401 ? 'auth_error' : 'ok'),
    );
  }

  /** A failed answer (`code != 200`) as the error of its kind. */
  private failure(
    body: { readonly code: number; readonly message?: string | null },
    ids: SourceRequestIds,
  ): Error {
    const message = body.message ?? '';
    return this.api.error(
      failureKind(XIAOMAN_FAILURES, body.code, message),
      `code ${body.code}: ${message}`,
      ids,
    );
  }
}
