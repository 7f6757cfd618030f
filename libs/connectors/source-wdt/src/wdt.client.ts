import {
  flatParams,
  formatChinaTime,
  type EntityPageRequest,
  type QimenCredentials,
  SourceClientBase,
  type SourceClientOptions,
  type SourcePage,
  type SourceRequestIds,
  failureKind,
  qimenSigned,
} from '@kingbridge/source-kit';
import { WdtRequestError } from './wdt-request.error';
import {
  WDT_FAILURES,
  WDT_LIMITS,
  WDT_QIMEN_FAILURES,
  WDT_QIMEN_PATH,
  WDT_QIMEN_STOCKOUT_METHOD,
  WDT_STOCKOUT_PATH,
  wdtQimenResponseSchema,
  wdtResponseSchema,
  wdtSign,
  wdtStockoutRecord,
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
  protected override readonly paging = {
    'stockout-order': { from: 'start_time', to: 'end_time' },
  };

  constructor(private readonly options: WdtClientOptions) {
    super(WdtRequestError, options, WDT_LIMITS, 15_000);
  }

  protected async fetchEntityPage(req: EntityPageRequest): Promise<SourcePage> {
    const { query, signal, size: pageSize, index: pageNo } = req;
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(flatParams(query.params)))
      params[k] = String(v);
    Object.assign(params, req.window, {
      page_no: String(pageNo),
      page_size: String(pageSize),
    });

    const ids = this.api.ids('stockout_order_query_trade');
    const body = await this.api.withHooks(ids.endpoint, signal, () =>
      this.send(params, ids, signal),
    );
    const list = body.stockout_list ?? [];
    const records = list.map((raw, i) =>
      this.api.record(wdtStockoutRecord, raw, ids, `stockout_list[${i}]`),
    );
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
        failureKind(WDT_FAILURES, body.code, message),
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
        failureKind(WDT_QIMEN_FAILURES, undefined, topCode),
        `qimen ${topCode}: ${message ?? ''}`,
        ids,
      );
    }
    return { ...rest, code: errorcode, message };
  }
}
