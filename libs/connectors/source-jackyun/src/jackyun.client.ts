import { parseJsonLossless } from '@kingbridge/pipeline-core';
import {
  chinaTimeToIso,
  flatParams,
  formatChinaTime,
  type EntityPageRequest,
  qimenSigned,
  type QimenCredentials,
  type QueryParamValue,
  SourceClientBase,
  type SourceClientOptions,
  type SourceErrorKind,
  failureKind,
  type SourcePage,
  type SourceRequestIds,
} from '@kingbridge/source-kit';
import { JackyunRequestError } from './jackyun-request.error';
import {
  JACKYUN_CHANNELS_METHOD,
  JACKYUN_FAILURES,
  JACKYUN_GATEWAY_PATH,
  JACKYUN_LIMITS,
  JACKYUN_QIMEN_FAILURES,
  JACKYUN_QIMEN_PATH,
  JACKYUN_TRADES_METHOD,
  type JackyunEnvelope,
  jackyunChannelPageSchema,
  jackyunEnvelopeSchema,
  jackyunSign,
  jackyunTradePageSchema,
} from '@kingbridge/source-jackyun/protocol';

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
export type JackyunQimenCredentials = QimenCredentials;

export interface JackyunClientOptions extends SourceClientOptions {
  /** Gateway origin, e.g. `https://open.jackyun.com` or the simulator `http://127.0.0.1:18101`; the Qimen host with `qimen`. */
  readonly baseUrl: string;
  /** The Jackyun app (signs `sign`, or `jkysign` through Qimen). */
  readonly credentials: JackyunCredentials;
  /** Set: calls go through the Qimen router (`/router/qm`, TOP signature) with the same methods and bizcontent. */
  readonly qimen?: JackyunQimenCredentials;
  /** `v1.0` (default) or `1.0`; both are accepted by the gateway. */
  readonly version?: string;
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
export class JackyunClient extends SourceClientBase {
  override readonly platform = 'jackyun' as const;
  /** The window params of an order query and of a channel query when the plan names none. */
  protected override readonly paging = {
    'sales-order': { from: 'startModified', to: 'endModified' },
    // erp.sales.get answers every channel when no modified-time filter is sent (master data's first sync).
    'sales-channel': {
      from: 'gmtModifiedStart',
      to: 'gmtModifiedEnd',
      pageSize: 50,
      fullScan: true,
    },
  };

  constructor(private readonly options: JackyunClientOptions) {
    super(JackyunRequestError, options, JACKYUN_LIMITS, 30_000);
  }

  /** Signs and sends one gateway call; returns the decoded `result.data`. */
  async call(
    method: string,
    biz: Readonly<Record<string, unknown>>,
    signal?: AbortSignal,
  ): Promise<JackyunCallResult> {
    const { requestId } = this.api.ids(method);
    const params = this.signed(method, JSON.stringify(biz), requestId);
    return this.api.withHooks(method, signal, () =>
      this.send(method, params, requestId, signal),
    );
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
    return qimenSigned(qimen, method, timestamp, {
      jkymethod: method,
      jkyappkey: appKey,
      jkytimestamp: timestamp,
      jkyversion: '1.0',
      content: bizcontent,
      jkysign: jackyunSign(jky, appSecret),
    });
  }

  private async send(
    method: string,
    params: Record<string, string>,
    requestId: string,
    signal: AbortSignal | undefined,
  ): Promise<JackyunCallResult> {
    const ids = { requestId, endpoint: method };
    const path = this.options.qimen ? JACKYUN_QIMEN_PATH : JACKYUN_GATEWAY_PATH;
    const res = await this.api.postForm(path, params, ids, signal);
    if (res.status === 401 || res.status === 403)
      throw this.api.error('auth', `HTTP ${res.status}`, ids);
    const body = this.api.json(res, ids, parseJsonLossless);
    const envelope = this.api.validate(
      jackyunEnvelopeSchema,
      this.options.qimen ? this.unwrapQimen(body, ids) : body,
      ids,
    );
    const platformId = envelope.result?.contextId ?? undefined;
    const rid =
      platformId && platformId !== requestId
        ? `${requestId}/${platformId}`
        : requestId;
    const callIds = { requestId: rid, endpoint: method };
    if (String(envelope.code) !== '200') {
      const { kind, text } = classifyFailure(envelope);
      throw this.api.error(kind, text, callIds);
    }
    let data = envelope.result?.data;
    if (typeof data === 'string') {
      try {
        data = data.trim() === '' ? null : parseJsonLossless(data);
      } catch {
        throw this.api.error(
          'invalid_response',
          'result.data is a string but not JSON',
          callIds,
          { fieldPath: 'result.data' },
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
  protected fetchEntityPage(req: EntityPageRequest): Promise<SourcePage> {
    return req.query.entity === 'sales-order'
      ? this.fetchTradePage(req)
      : this.fetchChannelPage(req);
  }

  private async fetchTradePage(req: EntityPageRequest): Promise<SourcePage> {
    const { query, size: pageSize, index } = req;
    const rest = query.params as Record<string, QueryParamValue>;
    const biz: Record<string, unknown> = {
      hasTotal: 1,
      ...flatParams(rest),
      fields: withRequiredFields(
        typeof rest.fields === 'string'
          ? rest.fields
          : JACKYUN_DEFAULT_TRADE_FIELDS,
      ),
      ...req.window,
      pageIndex: index,
      pageSize,
      scrollId: query.page?.cursor ?? '',
    };
    const result = await this.call(JACKYUN_TRADES_METHOD, biz, req.signal);
    const ids = {
      requestId: result.requestId,
      endpoint: JACKYUN_TRADES_METHOD,
    };
    const page = this.api.validate(
      jackyunTradePageSchema,
      result.data ?? {},
      ids,
      { at: 'result.data' },
    );
    const trades = page.Trades ?? page.trades ?? [];
    const scrollId = page.ScrollId ?? page.scrollId ?? result.scrollId ?? '';
    const records = trades.map((t, i) => {
      const sourceId = String(t.TradeId ?? t.tradeId ?? t.TradeNo ?? t.tradeNo);
      const modifiedAt = this.api.modifiedAt(
        t.GmtModified ?? t.gmtModified,
        ids,
        `result.data.${page.Trades ? 'Trades' : 'trades'}[${i}].${t.GmtModified !== undefined ? 'GmtModified' : 'gmtModified'}`,
        'gmtModified missing or not yyyy-MM-dd HH:mm:ss',
      );
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

  private async fetchChannelPage(req: EntityPageRequest): Promise<SourcePage> {
    const { query, size: pageSize, index } = req;
    const biz: Record<string, unknown> = {
      ...flatParams(query.params),
      // A full scan (master data's first sync) sends no modified-time filter.
      ...(query.fullScan ? {} : req.window),
      pageIndex: index,
      pageSize,
    };
    const result = await this.call(JACKYUN_CHANNELS_METHOD, biz, req.signal);
    const page = this.api.validate(
      jackyunChannelPageSchema,
      result.data ?? {},
      { requestId: result.requestId, endpoint: JACKYUN_CHANNELS_METHOD },
      { at: 'result.data' },
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

  /**
   * A Qimen answer `{response: {flag, code, message, subCode, result}}` as the
   * direct gateway's envelope; a router failure (TOP code, no Jackyun code) is
   * classified here.
   */
  private unwrapQimen(body: unknown, ids: SourceRequestIds): unknown {
    const response = (body as { response?: Record<string, unknown> } | null)
      ?.response;
    if (!response || typeof response !== 'object')
      throw this.api.error(
        'invalid_response',
        'Qimen answer without response',
        ids,
        { fieldPath: 'response' },
      );
    const code = String(response['code'] ?? '');
    const message = String(response['message'] ?? '');
    if (response['flag'] === 'failure' && !/^\d+$/.test(code)) {
      throw this.api.error(
        failureKind(JACKYUN_QIMEN_FAILURES, undefined, code),
        `qimen ${code}: ${message}`,
        ids,
      );
    }
    return {
      code: response['flag'] === 'success' && code === '' ? 200 : code,
      msg: message,
      subCode: response['subCode'] ?? '',
      result: response['result'] ?? null,
    };
  }
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

/** The kind of a failed gateway answer (`code != 200`), read from its message and subCode. */
function classifyFailure(envelope: JackyunEnvelope): {
  kind: SourceErrorKind;
  text: string;
} {
  const msg = envelope.msg ?? '';
  const subCode =
    envelope.subCode === null || envelope.subCode === undefined
      ? ''
      : String(envelope.subCode);
  return {
    kind: failureKind(JACKYUN_FAILURES, subCode, msg),
    text: `code ${String(envelope.code)} subCode ${subCode || '-'}: ${msg}`,
  };
}
