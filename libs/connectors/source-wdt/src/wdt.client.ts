import type { SourceEntity } from '@kingbridge/contracts';
import { formatZodIssues, zodPath } from '@kingbridge/contracts';
import {
  chinaTimeToIso,
  formatChinaTime,
  type FetchFn,
  formBody,
  newRequestId,
  type RequestHooks,
  type RequestOutcome,
  requestOutcomeOf,
  sendSourceRequest,
  topSign,
} from '@kingbridge/source-kit';
import { WdtRequestError } from './wdt-request.error';
import { wdtSign } from './wdt-sign.util';
import {
  wdtQimenResponseSchema,
  wdtResponseSchema,
  wdtStockoutSchema,
} from './wdt.schemas';

export const WDT_DEFAULT_BASE_URL = 'https://api.wangdian.cn';
export const WDT_STOCKOUT_PATH = '/openapi2/stockout_order_query_trade.php';
/** 企业奇门 router path (reference §2.7); the host is the tenant's Qimen host. */
export const WDT_QIMEN_PATH = '/router/qm';
export const WDT_QIMEN_STOCKOUT_METHOD = 'wdt.stockout.order.query.trade';
/** "max span 30 days" (WDT-DOC 1.4). */
export const WDT_MAX_WINDOW_MS = 30 * 24 * 3600_000;
export const WDT_MAX_PAGE_SIZE = 100;

export interface WdtCredentials {
  readonly sid: string;
  readonly appKey: string;
  readonly appSecret: string;
}

/** The Qimen app that calls WDT through 企业奇门 (seed 001): its key and secret, and WDT's app key. */
export interface WdtQimenCredentials {
  readonly appKey: string;
  readonly appSecret: string;
  readonly targetAppKey: string;
}

export interface WdtClientOptions {
  /** openapi2 origin, or the Qimen host when `qimen` is set. */
  readonly baseUrl: string;
  /** `sid` is sent on both transports; appKey / appSecret sign openapi2 calls. */
  readonly credentials: WdtCredentials;
  /** Set: every call goes through the Qimen router (`/router/qm`, TOP signature) with the same params. */
  readonly qimen?: WdtQimenCredentials;
  readonly timeoutMs?: number;
  readonly hooks?: RequestHooks;
  readonly fetch?: FetchFn;
  readonly now?: () => Date;
}

export type WdtParam = string | number | boolean | readonly (string | number)[];

export interface WdtPageQuery {
  readonly entity: SourceEntity;
  readonly from: Date;
  readonly to: Date;
  readonly params: Readonly<Record<string, WdtParam>>;
  readonly pageSize?: number;
  readonly page: { index: number; cursor?: string } | null;
  /** Names of the window start/end params (defaults per entity). */
  readonly timeParams?: { readonly from: string; readonly to: string };
}

export interface WdtPage {
  readonly records: readonly {
    sourceId: string;
    modifiedAt: string;
    payload: Record<string, unknown>;
  }[];
  readonly total: number | undefined;
  readonly next: { index: number } | null;
  readonly requestId: string | undefined;
}

/**
 * WDT 企业版 client. Transports: openapi2 (one URL per API, flat form params,
 * length-prefixed MD5 signature) or 企业奇门 (`/router/qm`, `method` param,
 * TOP MD5 signature, answer wrapped in `response`) — same business params,
 * same records. Entity: `stockout-order`.
 */
export class WdtClient {
  readonly platform = 'wdt' as const;
  readonly entities: readonly SourceEntity[] = ['stockout-order'];
  private readonly fetchFn: FetchFn;
  private readonly now: () => Date;

  constructor(private readonly options: WdtClientOptions) {
    this.fetchFn = options.fetch ?? fetch;
    this.now = options.now ?? (() => new Date());
  }

  maxWindowMs(_entity: SourceEntity): number {
    return WDT_MAX_WINDOW_MS;
  }

  async fetchPage(query: WdtPageQuery, signal?: AbortSignal): Promise<WdtPage> {
    if (query.entity !== 'stockout-order')
      throw new Error(`wdt: unsupported entity ${query.entity}`);
    const pageSize = Math.max(
      1,
      Math.min(WDT_MAX_PAGE_SIZE, query.pageSize ?? WDT_MAX_PAGE_SIZE),
    );
    const pageNo = query.page?.index ?? 0;
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(query.params))
      params[k] = Array.isArray(v) ? v.join(',') : String(v);
    Object.assign(params, {
      [query.timeParams?.from ?? 'start_time']: formatChinaTime(query.from),
      [query.timeParams?.to ?? 'end_time']: formatChinaTime(query.to),
      page_no: String(pageNo),
      page_size: String(pageSize),
    });

    const endpoint = 'stockout_order_query_trade';
    const requestId = newRequestId();
    const body = await this.post(endpoint, params, requestId, signal);
    const list = body.stockout_list ?? [];
    const records = list.map((raw, i) => {
      const parsed = wdtStockoutSchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new WdtRequestError(
          'invalid_response',
          `invalid stockout: ${formatZodIssues(parsed.error)}`,
          {
            requestId,
            endpoint,
            fieldPath: `stockout_list[${i}]${issue ? pathSuffix(issue.path) : ''}`,
          },
        );
      }
      const modifiedAt = chinaTimeToIso(parsed.data.modified);
      if (!modifiedAt) {
        throw new WdtRequestError(
          'invalid_response',
          'modified is not yyyy-MM-dd HH:mm:ss',
          {
            requestId,
            endpoint,
            fieldPath: `stockout_list[${i}].modified`,
          },
        );
      }
      return {
        sourceId: parsed.data.stockout_id,
        modifiedAt,
        payload: raw as Record<string, unknown>,
      };
    });
    return {
      records,
      // total_count is only meaningful on page 0.
      total: pageNo === 0 ? (body.total_count ?? 0) : undefined,
      next: list.length >= pageSize ? { index: pageNo + 1 } : null,
      requestId,
    };
  }

  private async post(
    endpoint: string,
    params: Record<string, string>,
    requestId: string,
    signal: AbortSignal | undefined,
  ) {
    const hooks = this.options.hooks;
    const ticket = await hooks?.beforeRequest?.(endpoint, signal);
    const started = performance.now();
    let outcome: RequestOutcome = 'error';
    try {
      const body = await this.send(endpoint, params, requestId, signal);
      outcome = 'ok';
      return body;
    } catch (err) {
      if (err instanceof WdtRequestError) outcome = outcomeOf(err);
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

  /** The signed form of one call on the configured transport, and where it goes. */
  private signed(business: Record<string, string>): {
    path: string;
    params: Record<string, string>;
  } {
    const { sid, appKey, appSecret } = this.options.credentials;
    const qimen = this.options.qimen;
    if (!qimen) {
      const params = {
        ...business,
        sid,
        appkey: appKey,
        timestamp: String(Math.floor(this.now().getTime() / 1000)),
      };
      return {
        path: WDT_STOCKOUT_PATH,
        params: { ...params, sign: wdtSign(params, appSecret) },
      };
    }
    const params = {
      ...business,
      method: WDT_QIMEN_STOCKOUT_METHOD,
      app_key: qimen.appKey,
      target_app_key: qimen.targetAppKey,
      sid,
      format: 'json',
      v: '2.0',
      sign_method: 'md5',
      timestamp: formatChinaTime(this.now()),
    };
    return {
      path: WDT_QIMEN_PATH,
      params: { ...params, sign: topSign(params, qimen.appSecret) },
    };
  }

  private async send(
    endpoint: string,
    business: Record<string, string>,
    requestId: string,
    signal: AbortSignal | undefined,
  ) {
    const { path, params } = this.signed(business);
    const res = await sendSourceRequest(
      WdtRequestError,
      this.fetchFn,
      {
        url: `${this.options.baseUrl.replace(/\/$/, '')}${path}`,
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded;charset=utf-8',
        },
        body: formBody(params),
        timeoutMs: this.options.timeoutMs ?? 15_000,
        signal,
      },
      { requestId, endpoint },
    );
    let json: unknown;
    try {
      json = JSON.parse(res.text);
    } catch {
      throw new WdtRequestError(
        'invalid_response',
        `HTTP ${res.status}: body is not JSON`,
        {
          requestId,
          endpoint,
          fieldPath: '(root)',
        },
      );
    }
    if (this.options.qimen) json = this.unwrapQimen(json, requestId, endpoint);
    const parsed = wdtResponseSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new WdtRequestError(
        'invalid_response',
        `invalid response: ${formatZodIssues(parsed.error)}`,
        {
          requestId,
          endpoint,
          fieldPath: issue ? zodPath(issue.path) : '(root)',
        },
      );
    }
    if (parsed.data.code !== 0)
      throw classifyFailure(
        parsed.data.code,
        parsed.data.message ?? '',
        requestId,
        endpoint,
      );
    return parsed.data;
  }

  /** The Qimen answer as the openapi2 body (`errorcode` -> `code`); a router failure is classified. */
  private unwrapQimen(
    json: unknown,
    requestId: string,
    endpoint: string,
  ): unknown {
    const parsed = wdtQimenResponseSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new WdtRequestError(
        'invalid_response',
        `invalid Qimen response: ${formatZodIssues(parsed.error)}`,
        {
          requestId,
          endpoint,
          fieldPath: issue ? zodPath(issue.path) : '(root)',
        },
      );
    }
    const { flag, errorcode, code, message, ...rest } = parsed.data.response;
    if (flag === 'failure' || errorcode === null || errorcode === undefined) {
      throw classifyQimenFailure(
        String(code ?? 'unknown'),
        message ?? '',
        requestId,
        endpoint,
      );
    }
    return { ...rest, code: errorcode, message };
  }
}

function pathSuffix(path: ReadonlyArray<PropertyKey>): string {
  const p = zodPath(path);
  return p === '(root)' ? '' : p.startsWith('[') ? p : `.${p}`;
}

function classifyFailure(
  code: number,
  message: string,
  requestId: string,
  endpoint: string,
): WdtRequestError {
  const text = `code ${code}: ${message}`;
  if (/频|限流|超过.*次|too many|throttl|rate limit/i.test(message)) {
    return new WdtRequestError('throttle', text, { requestId, endpoint });
  }
  if (
    /签名|sign|appkey|账号|sid|授权|权限|欠费|invalid app/i.test(message) ||
    code === 1060
  ) {
    return new WdtRequestError('auth', text, { requestId, endpoint });
  }
  if (/系统繁忙|服务.*不可用|超时|busy|timeout|internal/i.test(message)) {
    return new WdtRequestError('transient', text, {
      requestId,
      endpoint,
      errorClass: 'server_error',
    });
  }
  return new WdtRequestError('rejected', text, { requestId, endpoint });
}

/** Qimen router failures (TOP error codes such as sign-check-failure, app-call-limited). */
function classifyQimenFailure(
  code: string,
  message: string,
  requestId: string,
  endpoint: string,
): WdtRequestError {
  const text = `qimen ${code}: ${message}`;
  if (/call-limited|limit|throttl|频/i.test(code))
    return new WdtRequestError('throttle', text, { requestId, endpoint });
  if (/sign|app-key|timestamp|target|permission|session|auth/i.test(code))
    return new WdtRequestError('auth', text, { requestId, endpoint });
  if (/service-unavailable|isp\.|timeout/i.test(code))
    return new WdtRequestError('transient', text, {
      requestId,
      endpoint,
      errorClass: 'server_error',
    });
  return new WdtRequestError('rejected', text, { requestId, endpoint });
}

function outcomeOf(err: WdtRequestError): RequestOutcome {
  return requestOutcomeOf(err.kind);
}
