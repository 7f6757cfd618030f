import type { SourceEntity } from '@kingbridge/contracts';
import {
  flatParams,
  type PageQuery,
  SourceClientBase,
  type SourceClientOptions,
  type SourceErrorKind,
  type SourcePage,
  type SourceRequestIds,
} from '@kingbridge/source-kit';
import { JushuitanRequestError } from './jushuitan-request.error';
import {
  JUSHUITAN_AUTH_CODES,
  JUSHUITAN_INVENTORY_COUNT_PATH,
  JUSHUITAN_MAX_PAGE_SIZE,
  JUSHUITAN_MAX_WINDOW_MS,
  JUSHUITAN_THROTTLE_CODES,
  jushuitanInventoryCountSchema,
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
  override readonly entities: readonly SourceEntity[] = ['inventory-count'];

  constructor(private readonly options: JushuitanClientOptions) {
    super(JushuitanRequestError, options, {
      timeoutMs: 30_000,
      maxWindowMs: JUSHUITAN_MAX_WINDOW_MS,
      maxPageSize: JUSHUITAN_MAX_PAGE_SIZE,
    });
  }

  protected async fetchEntityPage(
    query: PageQuery,
    signal?: AbortSignal,
  ): Promise<SourcePage> {
    const page = this.pageWindow(query, {
      from: 'modified_begin',
      to: 'modified_end',
    });
    const pageSize = page.size;
    const pageIndex = page.index + 1;
    const biz: Record<string, unknown> = {
      ...flatParams(query.params),
      page_index: pageIndex,
      page_size: pageSize,
      ...page.window,
    };
    const ids = this.api.ids('inventory/count/query');
    const body = await this.api.withHooks(ids.endpoint, signal, () =>
      this.send(JUSHUITAN_INVENTORY_COUNT_PATH, biz, ids, signal),
    );
    const data = body.data;
    const list = data?.datas ?? [];
    const records = list.map((raw, i) => {
      const count = this.api.validate(jushuitanInventoryCountSchema, raw, ids, {
        at: `data.datas[${i}]`,
        what: 'stock count',
      });
      return {
        sourceId: count.io_id,
        modifiedAt: this.api.modifiedAt(
          count.modified,
          ids,
          `data.datas[${i}].modified`,
          'modified is not yyyy-MM-dd HH:mm:ss',
        ),
        payload: raw as Record<string, unknown>,
      };
    });
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
        failureKind(code, msg ?? ''),
        `code ${code}: ${msg ?? ''}`,
        ids,
      );
    return body;
  }
}

/** The kind of a failed answer (`code != 0`; 200 is the per-minute limit here). */
function failureKind(code: number, msg: string): SourceErrorKind {
  if (JUSHUITAN_THROTTLE_CODES.has(code)) return 'throttle';
  if (JUSHUITAN_AUTH_CODES.has(code)) return 'auth';
  if (code >= 500 || /系统繁忙|超时|busy|timeout/i.test(msg))
    return 'transient';
  return 'rejected';
}
