import type { SourceEntity } from '@kingbridge/contracts';
import { formatZodIssues, zodPath } from '@kingbridge/contracts';
import type { z } from 'zod';
import {
  chinaTimeToIso,
  formatChinaTime,
  type FetchFn,
  formBody,
  newRequestId,
  type PageQuery,
  type QueryParamValue,
  type RequestHooks,
  type SourcePage,
  type RequestOutcome,
  requestOutcomeOf,
  sendSourceRequest,
  topSign,
} from '@kingbridge/source-kit';
import { JackyunRequestError } from './jackyun-request.error';
import { jackyunSign } from './jackyun-sign.util';
import {
  jackyunChannelPageSchema,
  jackyunEnvelopeSchema,
  jackyunTradePageSchema,
} from './jackyun.schemas';
import { parseJsonLossless } from './lossless-json.util';

export const JACKYUN_DEFAULT_BASE_URL = 'https://open.jackyun.com';
export const JACKYUN_GATEWAY_PATH = '/open/openapi/do';
/** 吉客云·奇门 router path (reference §1.8); the host is the tenant's Qimen host. */
export const JACKYUN_QIMEN_PATH = '/router/qm';
export const JACKYUN_TRADES_METHOD = 'jackyun.tradenotsensitiveinfos.list.get';
export const JACKYUN_CHANNELS_METHOD = 'erp.sales.get';
/** `oms.trade.fullinfoget`: "起止时间不能超过7天". */
export const JACKYUN_MAX_WINDOW_MS = 7 * 24 * 3600_000;
export const JACKYUN_MAX_PAGE_SIZE = 200;

/** Order fields requested when the plan does not name them; must include id, modified time and scrollId. */
export const JACKYUN_DEFAULT_TRADE_FIELDS = [
  'tradeId',
  'tradeNo',
  'tradeStatus',
  'tradeStatusExplain',
  'tradeType',
  'shopId',
  'shopName',
  'shopcode',
  'warehouseId',
  'warehouseName',
  'warehouseCode',
  'consignTime',
  'billDate',
  'tradeTime',
  'payTime',
  'auditTime',
  'gmtCreate',
  'gmtModified',
  'sourceTradeNo',
  'onlineTradeNo',
  'orderNo',
  'checkTotal',
  'totalFee',
  'payment',
  'postFee',
  'discountFee',
  'otherFee',
  'isDelete',
  'mainPostid',
  'logisticName',
  'companyName',
  'departName',
  'sellerMemo',
  'buyerMemo',
  'flagNames',
  // Customer information (seed 000 requests it).
  'customerName',
  'customerCode',
  'customerAccount',
  // Whole detail lists (every line field), then the cursor.
  'goodsDetail',
  'packageDetail',
  'scrollId',
].join(',');

export interface JackyunCredentials {
  readonly appKey: string;
  readonly appSecret: string;
}

/** The Qimen app that calls Jackyun through 吉客云·奇门 (seed 000): its key and secret, and Jackyun's app key. */
export interface JackyunQimenCredentials {
  readonly appKey: string;
  readonly appSecret: string;
  readonly targetAppKey: string;
}

export interface JackyunClientOptions {
  /** Gateway origin, e.g. `https://open.jackyun.com` or the simulator `http://127.0.0.1:18101`; the Qimen host with `qimen`. */
  readonly baseUrl: string;
  /** The Jackyun app (signs `sign`, or `jkysign` through Qimen). */
  readonly credentials: JackyunCredentials;
  /** Set: calls go through the Qimen router (`/router/qm`, TOP signature) with the same methods and bizcontent. */
  readonly qimen?: JackyunQimenCredentials;
  /** `v1.0` (default) or `1.0`; both are accepted by the gateway. */
  readonly version?: string;
  readonly timeoutMs?: number;
  readonly hooks?: RequestHooks;
  readonly fetch?: FetchFn;
  readonly now?: () => Date;
}

/** Result of one gateway call: `result.data` decoded (JSON-string data parsed losslessly). */
export interface JackyunCallResult {
  readonly data: unknown;
  readonly scrollId: string | undefined;
  readonly requestId: string;
}

/**
 * Jackyun open-platform client (one gateway, `method` param, form body,
 * lower-cased MD5 signature). Framework-free; implements the runtime's
 * `SourceConnectorClient` for entities `sales-order` and `sales-channel`.
 */
export class JackyunClient {
  readonly platform = 'jackyun' as const;
  readonly entities: readonly SourceEntity[] = ['sales-order', 'sales-channel'];
  private readonly fetchFn: FetchFn;
  private readonly now: () => Date;

  constructor(private readonly options: JackyunClientOptions) {
    this.fetchFn = options.fetch ?? fetch;
    this.now = options.now ?? (() => new Date());
  }

  maxWindowMs(_entity: SourceEntity): number {
    return JACKYUN_MAX_WINDOW_MS;
  }

  /** erp.sales.get answers every channel when no modified-time filter is sent (master data's first sync). */
  supportsFullScan(entity: SourceEntity): boolean {
    return entity === 'sales-channel';
  }

  /** Signs and sends one gateway call; returns the decoded `result.data`. */
  async call(
    method: string,
    biz: Readonly<Record<string, unknown>>,
    signal?: AbortSignal,
  ): Promise<JackyunCallResult> {
    const requestId = newRequestId();
    const params = this.signed(method, JSON.stringify(biz), requestId);

    const hooks = this.options.hooks;
    const ticket = await hooks?.beforeRequest?.(method, signal);
    const started = performance.now();
    let outcome: RequestOutcome = 'error';
    try {
      const result = await this.send(method, params, requestId, signal);
      outcome = 'ok';
      return result;
    } catch (err) {
      if (err instanceof JackyunRequestError) outcome = outcomeOf(err);
      throw err;
    } finally {
      hooks?.afterRequest?.(
        method,
        outcome,
        (performance.now() - started) / 1000,
        ticket,
      );
    }
  }

  /** The signed form of one call on the configured gateway. */
  private signed(
    method: string,
    bizcontent: string,
    requestId: string,
  ): Record<string, string> {
    const { appKey, appSecret } = this.options.credentials;
    const timestamp = formatChinaTime(this.now());
    const qimen = this.options.qimen;
    if (!qimen) {
      const params: Record<string, string> = {
        method,
        appkey: appKey,
        version: this.options.version ?? 'v1.0',
        contenttype: 'json',
        timestamp,
        bizcontent,
      };
      return {
        ...params,
        sign: jackyunSign(params, appSecret),
        contextid: requestId,
      };
    }
    // jkysign: the Jackyun algorithm over the Jackyun part (version 1.0, contenttype JSON).
    const jky = {
      method,
      appkey: appKey,
      version: '1.0',
      contenttype: 'JSON',
      timestamp,
      bizcontent,
    };
    const params: Record<string, string> = {
      method,
      app_key: qimen.appKey,
      target_app_key: qimen.targetAppKey,
      format: 'json',
      v: '2.0',
      sign_method: 'md5',
      timestamp,
      jkymethod: method,
      jkyappkey: appKey,
      jkytimestamp: timestamp,
      jkyversion: '1.0',
      content: bizcontent,
      jkysign: jackyunSign(jky, appSecret),
    };
    return { ...params, sign: topSign(params, qimen.appSecret) };
  }

  private async send(
    method: string,
    params: Record<string, string>,
    requestId: string,
    signal: AbortSignal | undefined,
  ): Promise<JackyunCallResult> {
    const endpoint = method;
    const path = this.options.qimen ? JACKYUN_QIMEN_PATH : JACKYUN_GATEWAY_PATH;
    const res = await sendSourceRequest(
      JackyunRequestError,
      this.fetchFn,
      {
        url: `${this.options.baseUrl.replace(/\/$/, '')}${path}`,
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded;charset=utf-8',
        },
        body: formBody(params),
        timeoutMs: this.options.timeoutMs ?? 30_000,
        signal,
      },
      { requestId, endpoint },
    );
    if (res.status === 401 || res.status === 403) {
      throw new JackyunRequestError('auth', `HTTP ${res.status}`, {
        requestId,
        endpoint,
      });
    }
    let body: unknown;
    try {
      body = parseJsonLossless(res.text);
    } catch {
      throw new JackyunRequestError(
        'invalid_response',
        `HTTP ${res.status}: body is not JSON`,
        {
          requestId,
          endpoint,
          fieldPath: '(root)',
        },
      );
    }
    const envelope = validate(
      jackyunEnvelopeSchema,
      this.options.qimen ? unwrapQimen(body, requestId, endpoint) : body,
      requestId,
      endpoint,
    );
    const platformId = envelope.result?.contextId ?? undefined;
    const rid =
      platformId && platformId !== requestId
        ? `${requestId}/${platformId}`
        : requestId;
    if (String(envelope.code) !== '200') {
      throw classifyFailure(envelope, rid, endpoint);
    }
    let data = envelope.result?.data;
    if (typeof data === 'string') {
      try {
        data = data.trim() === '' ? null : parseJsonLossless(data);
      } catch {
        throw new JackyunRequestError(
          'invalid_response',
          'result.data is a string but not JSON',
          {
            requestId: rid,
            endpoint,
            fieldPath: 'result.data',
          },
        );
      }
    }
    return {
      data,
      scrollId: envelope.result?.scrollId ?? undefined,
      requestId: rid,
    };
  }

  /** One page of a window for `sales-order` or `sales-channel`. */
  async fetchPage(query: PageQuery, signal?: AbortSignal): Promise<SourcePage> {
    if (query.entity === 'sales-order')
      return this.fetchTradePage(query, signal);
    if (query.entity === 'sales-channel')
      return this.fetchChannelPage(query, signal);
    throw new Error(`jackyun: unsupported entity ${query.entity}`);
  }

  private async fetchTradePage(
    query: PageQuery,
    signal?: AbortSignal,
  ): Promise<SourcePage> {
    const pageSize = clampPageSize(query.pageSize, JACKYUN_MAX_PAGE_SIZE);
    const index = query.page?.index ?? 0;
    const rest = query.params as Record<string, QueryParamValue>;
    const time = query.timeParams ?? {
      from: 'startModified',
      to: 'endModified',
    };
    const biz: Record<string, unknown> = {
      hasTotal: 1,
      ...toBiz(rest),
      fields: withRequiredFields(
        typeof rest.fields === 'string'
          ? rest.fields
          : JACKYUN_DEFAULT_TRADE_FIELDS,
      ),
      [time.from]: formatChinaTime(query.from),
      [time.to]: formatChinaTime(query.to),
      pageIndex: index,
      pageSize,
      scrollId: query.page?.cursor ?? '',
    };
    const result = await this.call(JACKYUN_TRADES_METHOD, biz, signal);
    const page = validate(
      jackyunTradePageSchema,
      result.data ?? {},
      result.requestId,
      JACKYUN_TRADES_METHOD,
      'result.data',
    );
    const trades = page.Trades ?? page.trades ?? [];
    const scrollId = page.ScrollId ?? page.scrollId ?? result.scrollId ?? '';
    const records = trades.map((t, i) => {
      const sourceId = String(t.TradeId ?? t.tradeId ?? t.TradeNo ?? t.tradeNo);
      const modified = t.GmtModified ?? t.gmtModified;
      const modifiedAt = chinaTimeToIso(modified);
      if (!modifiedAt) {
        throw new JackyunRequestError(
          'invalid_response',
          'gmtModified missing or not yyyy-MM-dd HH:mm:ss',
          {
            requestId: result.requestId,
            endpoint: JACKYUN_TRADES_METHOD,
            fieldPath: `result.data.${page.Trades ? 'Trades' : 'trades'}[${i}].${t.GmtModified !== undefined ? 'GmtModified' : 'gmtModified'}`,
          },
        );
      }
      return { sourceId, modifiedAt, payload: t as Record<string, unknown> };
    });
    const full = trades.length >= pageSize;
    // An empty scrollId mid-stream happens in production: fall back to pageIndex paging.
    const next = full
      ? scrollId
        ? { index: index + 1, cursor: scrollId }
        : { index: index + 1 }
      : null;
    return {
      records,
      total: page.TotalResults ?? page.totalResults,
      next,
      requestId: result.requestId,
    };
  }

  private async fetchChannelPage(
    query: PageQuery,
    signal?: AbortSignal,
  ): Promise<SourcePage> {
    const pageSize = clampPageSize(query.pageSize ?? 50, JACKYUN_MAX_PAGE_SIZE);
    const index = query.page?.index ?? 0;
    const biz: Record<string, unknown> = {
      ...toBiz(query.params),
      ...(query.fullScan
        ? {}
        : {
            [query.timeParams?.from ?? 'gmtModifiedStart']: formatChinaTime(
              query.from,
            ),
            [query.timeParams?.to ?? 'gmtModifiedEnd']: formatChinaTime(
              query.to,
            ),
          }),
      pageIndex: index,
      pageSize,
    };
    const result = await this.call(JACKYUN_CHANNELS_METHOD, biz, signal);
    const page = validate(
      jackyunChannelPageSchema,
      result.data ?? {},
      result.requestId,
      JACKYUN_CHANNELS_METHOD,
      'result.data',
    );
    const channels = page.salesChannelInfo ?? [];
    const fetchedAt = this.now().toISOString();
    const records = channels.map((c) => ({
      sourceId: String(c.channelId),
      // gmtModified is not guaranteed on channels (reference 1.9): fall back to the fetch time.
      modifiedAt: chinaTimeToIso(c.gmtModified) ?? fetchedAt,
      payload: c as Record<string, unknown>,
    }));
    const next = channels.length >= pageSize ? { index: index + 1 } : null;
    return {
      records,
      total: page.totalResults,
      next,
      requestId: result.requestId,
    };
  }
}

function toBiz(
  params: Readonly<Record<string, QueryParamValue>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params))
    out[k] = Array.isArray(v) ? v.join(',') : v;
  return out;
}

/** The id, the modified time and the cursor are always requested: the runtime needs them. */
function withRequiredFields(fields: string): string {
  const list = fields
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  for (const f of ['tradeId', 'gmtModified', 'scrollId'])
    if (!list.includes(f)) list.push(f);
  return list.join(',');
}

function clampPageSize(size: number | undefined, max: number): number {
  return Math.max(1, Math.min(max, size ?? max));
}

function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
  requestId: string,
  endpoint: string,
  prefix?: string,
): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0];
  const path = first ? zodPath(first.path) : '(root)';
  return fail(
    new JackyunRequestError(
      'invalid_response',
      `invalid response: ${formatZodIssues(parsed.error)}`,
      {
        requestId,
        endpoint,
        fieldPath: prefix
          ? path === '(root)'
            ? prefix
            : `${prefix}.${path}`.replace('.[', '[')
          : path,
      },
    ),
  );
}

function fail(err: Error): never {
  throw err;
}

const AUTH_SUBCODES = new Set(['0130000609']);

function classifyFailure(
  envelope: z.infer<typeof jackyunEnvelopeSchema>,
  requestId: string,
  endpoint: string,
): JackyunRequestError {
  const msg = envelope.msg ?? '';
  const subCode =
    envelope.subCode === null || envelope.subCode === undefined
      ? ''
      : String(envelope.subCode);
  const text = `code ${String(envelope.code)} subCode ${subCode || '-'}: ${msg}`;
  if (/频|限流|too many|throttl|rate limit/i.test(msg)) {
    return new JackyunRequestError('throttle', text, { requestId, endpoint });
  }
  if (
    /签名|appkey|app ?key|未开通|授权|无权限|sign/i.test(msg) ||
    AUTH_SUBCODES.has(subCode)
  ) {
    return new JackyunRequestError('auth', text, { requestId, endpoint });
  }
  if (/未知错误|系统繁忙|服务.*不可用|超时|timeout|busy/i.test(msg)) {
    return new JackyunRequestError('transient', text, {
      requestId,
      endpoint,
      errorClass: 'server_error',
    });
  }
  return new JackyunRequestError('rejected', text, { requestId, endpoint });
}

/**
 * A Qimen answer `{response: {flag, code, message, subCode, result}}` as the
 * direct gateway's envelope; a router failure (TOP code, no Jackyun code) is
 * classified here.
 */
function unwrapQimen(
  body: unknown,
  requestId: string,
  endpoint: string,
): unknown {
  const response = (body as { response?: Record<string, unknown> } | null)
    ?.response;
  if (!response || typeof response !== 'object')
    throw new JackyunRequestError(
      'invalid_response',
      'Qimen answer without response',
      { requestId, endpoint, fieldPath: 'response' },
    );
  const code = String(response['code'] ?? '');
  const message = String(response['message'] ?? '');
  if (response['flag'] === 'failure' && !/^\d+$/.test(code)) {
    const text = `qimen ${code}: ${message}`;
    if (/call-limited|limit/i.test(code))
      throw new JackyunRequestError('throttle', text, { requestId, endpoint });
    if (/sign|app-key|target|not-opened|timestamp/i.test(code))
      throw new JackyunRequestError('auth', text, { requestId, endpoint });
    throw new JackyunRequestError('rejected', text, { requestId, endpoint });
  }
  return {
    code: response['flag'] === 'success' && code === '' ? 200 : code,
    msg: message,
    subCode: response['subCode'] ?? '',
    result: response['result'] ?? null,
  };
}

function outcomeOf(err: JackyunRequestError): RequestOutcome {
  return requestOutcomeOf(err.kind);
}
