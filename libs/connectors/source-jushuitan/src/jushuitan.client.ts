import type { SourceEntity } from '@kingbridge/contracts';
import { formatZodIssues, zodPath } from '@kingbridge/contracts';
import {
  chinaTimeToIso,
  formatChinaTime,
  type FetchFn,
  formBody,
  newRequestId,
  type PageQuery,
  type RequestHooks,
  type SourcePage,
  type RequestOutcome,
  requestOutcomeOf,
  sendSourceRequest,
} from '@kingbridge/source-kit';
import { JushuitanRequestError } from './jushuitan-request.error';
import { jushuitanSign } from './jushuitan-sign.util';
import {
  jushuitanInventoryCountSchema,
  jushuitanResponseSchema,
} from './jushuitan.schemas';

export const JUSHUITAN_DEFAULT_BASE_URL = 'https://openapi.jushuitan.com';
export const JUSHUITAN_INVENTORY_COUNT_PATH = '/open/inventory/count/query';
/** `modified_begin`/`modified_end` span ≤ 7 days. */
export const JUSHUITAN_MAX_WINDOW_MS = 7 * 24 * 3600_000;
export const JUSHUITAN_MAX_PAGE_SIZE = 50;
/** Documented limits: 5 requests/s (code 199) and 100/min (code 200). */
export const JUSHUITAN_RATE_LIMITS = [
  { limit: 5, intervalMs: 1000 },
  { limit: 100, intervalMs: 60_000 },
] as const;

export interface JushuitanCredentials {
  readonly appKey: string;
  readonly appSecret: string;
  readonly accessToken: string;
}

export interface JushuitanClientOptions {
  readonly baseUrl: string;
  readonly credentials: JushuitanCredentials;
  readonly timeoutMs?: number;
  readonly hooks?: RequestHooks;
  readonly fetch?: FetchFn;
  readonly now?: () => Date;
}

const AUTH_CODES = new Set([10, 20, 100, 110, 150, 190]);
const THROTTLE_CODES = new Set([199, 200]);

/**
 * Jushuitan open API v2 client (form body, `biz` JSON, MD5 signature with the
 * secret in front). Entity: `inventory-count` (`/open/inventory/count/query`).
 */
export class JushuitanClient {
  readonly platform = 'jushuitan' as const;
  readonly entities: readonly SourceEntity[] = ['inventory-count'];
  private readonly fetchFn: FetchFn;
  private readonly now: () => Date;

  constructor(private readonly options: JushuitanClientOptions) {
    this.fetchFn = options.fetch ?? fetch;
    this.now = options.now ?? (() => new Date());
  }

  maxWindowMs(_entity: SourceEntity): number {
    return JUSHUITAN_MAX_WINDOW_MS;
  }

  async fetchPage(query: PageQuery, signal?: AbortSignal): Promise<SourcePage> {
    if (query.entity !== 'inventory-count')
      throw new Error(`jushuitan: unsupported entity ${query.entity}`);
    const pageSize = Math.max(
      1,
      Math.min(
        JUSHUITAN_MAX_PAGE_SIZE,
        query.pageSize ?? JUSHUITAN_MAX_PAGE_SIZE,
      ),
    );
    const pageIndex = (query.page?.index ?? 0) + 1;
    const biz: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(query.params))
      biz[k] = Array.isArray(v) ? v.join(',') : v;
    Object.assign(biz, {
      page_index: pageIndex,
      page_size: pageSize,
      [query.timeParams?.from ?? 'modified_begin']: formatChinaTime(query.from),
      [query.timeParams?.to ?? 'modified_end']: formatChinaTime(query.to),
    });
    const endpoint = 'inventory/count/query';
    const requestId = newRequestId();
    const body = await this.post(
      endpoint,
      JUSHUITAN_INVENTORY_COUNT_PATH,
      biz,
      requestId,
      signal,
    );
    const data = body.data;
    const list = data?.datas ?? [];
    const records = list.map((raw, i) => {
      const parsed = jushuitanInventoryCountSchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const sub = issue ? zodPath(issue.path) : '(root)';
        throw new JushuitanRequestError(
          'invalid_response',
          `invalid stock count: ${formatZodIssues(parsed.error)}`,
          {
            requestId,
            endpoint,
            fieldPath: `data.datas[${i}]${sub === '(root)' ? '' : sub.startsWith('[') ? sub : `.${sub}`}`,
          },
        );
      }
      const modifiedAt = chinaTimeToIso(parsed.data.modified);
      if (!modifiedAt) {
        throw new JushuitanRequestError(
          'invalid_response',
          'modified is not yyyy-MM-dd HH:mm:ss',
          {
            requestId,
            endpoint,
            fieldPath: `data.datas[${i}].modified`,
          },
        );
      }
      return {
        sourceId: parsed.data.io_id,
        modifiedAt,
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
      requestId,
    };
  }

  private async post(
    endpoint: string,
    path: string,
    biz: Record<string, unknown>,
    requestId: string,
    signal: AbortSignal | undefined,
  ) {
    const hooks = this.options.hooks;
    const ticket = await hooks?.beforeRequest?.(endpoint, signal);
    const started = performance.now();
    let outcome: RequestOutcome = 'error';
    try {
      const params: Record<string, string> = {
        app_key: this.options.credentials.appKey,
        access_token: this.options.credentials.accessToken,
        timestamp: String(Math.floor(this.now().getTime() / 1000)),
        charset: 'utf-8',
        version: '2',
        biz: JSON.stringify(biz),
      };
      params.sign = jushuitanSign(params, this.options.credentials.appSecret);
      const body = await this.send(endpoint, path, params, requestId, signal);
      outcome = 'ok';
      return body;
    } catch (err) {
      if (err instanceof JushuitanRequestError) outcome = outcomeOf(err);
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

  private async send(
    endpoint: string,
    path: string,
    params: Record<string, string>,
    requestId: string,
    signal: AbortSignal | undefined,
  ) {
    const res = await sendSourceRequest(
      JushuitanRequestError,
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
    let json: unknown;
    try {
      json = JSON.parse(res.text);
    } catch {
      throw new JushuitanRequestError(
        'invalid_response',
        `HTTP ${res.status}: body is not JSON`,
        {
          requestId,
          endpoint,
          fieldPath: '(root)',
        },
      );
    }
    const parsed = jushuitanResponseSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new JushuitanRequestError(
        'invalid_response',
        `invalid response: ${formatZodIssues(parsed.error)}`,
        {
          requestId,
          endpoint,
          fieldPath: issue ? zodPath(issue.path) : '(root)',
        },
      );
    }
    const { code, msg } = parsed.data;
    if (code !== 0) {
      const text = `code ${code}: ${msg ?? ''}`;
      if (THROTTLE_CODES.has(code))
        throw new JushuitanRequestError('throttle', text, {
          requestId,
          endpoint,
        });
      if (AUTH_CODES.has(code))
        throw new JushuitanRequestError('auth', text, { requestId, endpoint });
      if (code >= 500 || /系统繁忙|超时|busy|timeout/i.test(msg ?? '')) {
        throw new JushuitanRequestError('transient', text, {
          requestId,
          endpoint,
          errorClass: 'server_error',
        });
      }
      throw new JushuitanRequestError('rejected', text, {
        requestId,
        endpoint,
      });
    }
    return parsed.data;
  }
}

function outcomeOf(err: JushuitanRequestError): RequestOutcome {
  return requestOutcomeOf(err.kind);
}
