import {
  failureKind,
  flatParams,
  type EntityPageRequest,
  SourceClientBase,
  type SourceClientOptions,
  type SourcePage,
  type SourceRequestIds,
} from '@kingbridge/source-kit';
import { JushuitanRequestError } from './jushuitan-request.error';
import {
  JUSHUITAN_FAILURES,
  JUSHUITAN_INVENTORY_COUNT_PATH,
  JUSHUITAN_LIMITS,
  jushuitanInventoryCountRecord,
  jushuitanResponseSchema,
  jushuitanSign,
} from '@kingbridge/source-jushuitan/protocol';

export interface JushuitanCredentials {
  readonly appKey: string;
  readonly appSecret: string;
  readonly accessToken: string;
}

export interface JushuitanClientOptions extends SourceClientOptions {
  readonly credentials: JushuitanCredentials;
}

/**
 * Jushuitan open API v2 client (form body, `biz` JSON, MD5 signature with the
 * secret in front). Entity: `inventory-count` (`/open/inventory/count/query`).
 */
export class JushuitanClient extends SourceClientBase {
  override readonly platform = 'jushuitan' as const;
  protected override readonly paging = {
    'inventory-count': { from: 'modified_begin', to: 'modified_end' },
  };

  constructor(private readonly options: JushuitanClientOptions) {
    super(JushuitanRequestError, options, JUSHUITAN_LIMITS, 30_000);
  }

  protected async fetchEntityPage(req: EntityPageRequest): Promise<SourcePage> {
    const { query, signal, size: pageSize } = req;
    const pageIndex = req.index + 1;
    const biz: Record<string, unknown> = {
      ...flatParams(query.params),
      page_index: pageIndex,
      page_size: pageSize,
      ...req.window,
    };
    const ids = this.api.ids('inventory/count/query');
    const body = await this.api.withHooks(ids.endpoint, signal, () =>
      this.send(JUSHUITAN_INVENTORY_COUNT_PATH, biz, ids, signal),
    );
    const data = body.data;
    const list = data?.datas ?? [];
    const records = list.map((raw, i) =>
      this.api.record(
        jushuitanInventoryCountRecord,
        raw,
        ids,
        `data.datas[${i}]`,
      ),
    );
    const hasNext =
      data?.has_next ??
      (data?.page_count !== undefined
        ? pageIndex < data.page_count
        : list.length >= pageSize);
    return {
      records,
      total: data?.data_count,
      next: hasNext && list.length > 0 ? { index: pageIndex } : null,
      requestId: ids.requestId,
    };
  }

  /** Signs `biz` with the app's system params, posts it and checks the answer's `code`. */
  private async send(
    path: string,
    biz: Record<string, unknown>,
    ids: SourceRequestIds,
    signal: AbortSignal | undefined,
  ) {
    const { appKey, appSecret, accessToken } = this.options.credentials;
    const params: Record<string, string> = {
      app_key: appKey,
      access_token: accessToken,
      timestamp: String(Math.floor(this.now().getTime() / 1000)),
      charset: 'utf-8',
      version: '2',
      biz: JSON.stringify(biz),
    };
    params.sign = jushuitanSign(params, appSecret);
    const res = await this.api.postForm(path, params, ids, signal);
    const body = this.api.validate(
      jushuitanResponseSchema,
      this.api.json(res, ids),
      ids,
    );
    const { code, msg } = body;
    if (code !== 0)
      throw this.api.error(
        failureKind(JUSHUITAN_FAILURES, code, msg ?? ''),
        `code ${code}: ${msg ?? ''}`,
        ids,
      );
    return body;
  }
}
