import type { SourceEntity } from '@kingbridge/contracts';
import {
  flatParams,
  formatChinaTime,
  type PageQuery,
  type QimenCredentials,
  SourceClientBase,
  type SourceClientOptions,
  type SourceErrorKind,
  type SourcePage,
  type SourceRequestIds,
  qimenSigned,
} from '@kingbridge/source-kit';
import { WdtRequestError } from './wdt-request.error';
import {
  WDT_MAX_PAGE_SIZE,
  WDT_MAX_WINDOW_MS,
  WDT_NO_PERMISSION_CODE,
  WDT_QIMEN_PATH,
  WDT_QIMEN_STOCKOUT_METHOD,
  WDT_STOCKOUT_PATH,
  wdtQimenResponseSchema,
  wdtResponseSchema,
  wdtSign,
  wdtStockoutSchema,
} from '@kingbridge/source-wdt/protocol';

export interface WdtCredentials {
  readonly sid: string;
  readonly appKey: string;
  readonly appSecret: string;
}

/** The Qimen app that calls WDT through 企业奇门 (seed 001): its key and secret, and WDT's app key. */
export type WdtQimenCredentials = QimenCredentials;

export interface WdtClientOptions extends SourceClientOptions {
  /** openapi2 origin, or the Qimen host when `qimen` is set. */
  readonly baseUrl: string;
  /** `sid` is sent on both transports; appKey / appSecret sign openapi2 calls. */
  readonly credentials: WdtCredentials;
  /** Set: every call goes through the Qimen router (`/router/qm`, TOP signature) with the same params. */
  readonly qimen?: WdtQimenCredentials;
}

/**
 * WDT 企业版 client. Transports: openapi2 (one URL per API, flat form params,
 * length-prefixed MD5 signature) or 企业奇门 (`/router/qm`, `method` param,
 * TOP MD5 signature, answer wrapped in `response`) — same business params,
 * same records. Entity: `stockout-order`.
 */
export class WdtClient extends SourceClientBase {
  override readonly platform = 'wdt' as const;
  override readonly entities: readonly SourceEntity[] = ['stockout-order'];

  constructor(private readonly options: WdtClientOptions) {
    super(WdtRequestError, options, {
      timeoutMs: 15_000,
      maxWindowMs: WDT_MAX_WINDOW_MS,
      maxPageSize: WDT_MAX_PAGE_SIZE,
    });
  }

  protected async fetchEntityPage(
    query: PageQuery,
    signal?: AbortSignal,
  ): Promise<SourcePage> {
    const page = this.pageWindow(query, { from: 'start_time', to: 'end_time' });
    const { size: pageSize, index: pageNo } = page;
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(flatParams(query.params)))
      params[k] = String(v);
    Object.assign(params, page.window, {
      page_no: String(pageNo),
      page_size: String(pageSize),
    });

    const ids = this.api.ids('stockout_order_query_trade');
    const body = await this.api.withHooks(ids.endpoint, signal, () =>
      this.send(params, ids, signal),
    );
    const list = body.stockout_list ?? [];
    const records = list.map((raw, i) => {
      const stockout = this.api.validate(wdtStockoutSchema, raw, ids, {
        at: `stockout_list[${i}]`,
        what: 'stockout',
      });
      return {
        sourceId: stockout.stockout_id,
        modifiedAt: this.api.modifiedAt(
          stockout.modified,
          ids,
          `stockout_list[${i}].modified`,
          'modified is not yyyy-MM-dd HH:mm:ss',
        ),
        payload: raw as Record<string, unknown>,
      };
    });
    return {
      records,
      // total_count is only meaningful on page 0.
      total: pageNo === 0 ? (body.total_count ?? 0) : undefined,
      next: list.length >= pageSize ? { index: pageNo + 1 } : null,
      requestId: ids.requestId,
    };
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
    return {
      path: WDT_QIMEN_PATH,
      params: qimenSigned(
        qimen,
        WDT_QIMEN_STOCKOUT_METHOD,
        formatChinaTime(this.now()),
        { ...business, sid },
      ),
    };
  }

  private async send(
    business: Record<string, string>,
    ids: SourceRequestIds,
    signal: AbortSignal | undefined,
  ) {
    const { path, params } = this.signed(business);
    const res = await this.api.postForm(path, params, ids, signal);
    let json = this.api.json(res, ids);
    if (this.options.qimen) json = this.unwrapQimen(json, ids);
    const body = this.api.validate(wdtResponseSchema, json, ids);
    if (body.code !== 0) {
      const message = body.message ?? '';
      throw this.api.error(
        failureKind(body.code, message),
        `code ${body.code}: ${message}`,
        ids,
      );
    }
    return body;
  }

  /** The Qimen answer as the openapi2 body (`errorcode` -> `code`); a router failure is classified. */
  private unwrapQimen(json: unknown, ids: SourceRequestIds): unknown {
    const parsed = this.api.validate(wdtQimenResponseSchema, json, ids, {
      what: 'Qimen response',
    });
    const { flag, errorcode, code, message, ...rest } = parsed.response;
    if (flag === 'failure' || errorcode === null || errorcode === undefined) {
      const topCode = String(code ?? 'unknown');
      throw this.api.error(
        qimenFailureKind(topCode),
        `qimen ${topCode}: ${message ?? ''}`,
        ids,
      );
    }
    return { ...rest, code: errorcode, message };
  }
}

/** The kind of a failed openapi2 answer (`code != 0`), read from its message and code. */
function failureKind(code: number, message: string): SourceErrorKind {
  if (/频|限流|超过.*次|too many|throttl|rate limit/i.test(message))
    return 'throttle';
  if (
    /签名|sign|appkey|账号|sid|授权|权限|欠费|invalid app/i.test(message) ||
    code === WDT_NO_PERMISSION_CODE
  )
    return 'auth';
  if (/系统繁忙|服务.*不可用|超时|busy|timeout|internal/i.test(message))
    return 'transient';
  return 'rejected';
}

/** Qimen router failures (TOP error codes such as sign-check-failure, app-call-limited). */
function qimenFailureKind(code: string): SourceErrorKind {
  if (/call-limited|limit|throttl|频/i.test(code)) return 'throttle';
  if (/sign|app-key|timestamp|target|permission|session|auth/i.test(code))
    return 'auth';
  if (/service-unavailable|isp\.|timeout/i.test(code)) return 'transient';
  return 'rejected';
}
