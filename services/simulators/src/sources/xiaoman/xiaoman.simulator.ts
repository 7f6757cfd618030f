import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  formatBeijing,
  parseBeijing,
  SlidingWindowLimiter,
  type SimRequest,
  type SimResult,
} from '../../common';
import {
  adminDataset,
  createSourceAdmin,
  type SourceAdminApi,
} from '../source-admin';
import { withDuplicates } from '../source-dataset';
import {
  corruptPage,
  queryCost,
  sortByKey,
  sourcePlumbing,
  type SourceSimulator,
  dataControl,
  primaryDataset,
  startSourceServer,
} from '../source-kit';
import {
  sourceBaseOptionsSchema,
  type RuntimeOptions,
} from '../source-options.schema';
import {
  XIAOMAN_ORDER_ENUMS_PATH,
  XIAOMAN_ORDER_INFO_PATH,
  XIAOMAN_ORDER_LIST_PATH,
  XIAOMAN_TOKEN_PATH,
} from '@kingbridge/source-xiaoman/protocol';
import { xiaomanOrderSpec } from './xiaoman-data';
import {
  XIAOMAN_ORDER_STATUSES,
  xiaomanOrderSchema,
  type XiaomanOrder,
} from './xiaoman.model';

export const xiaomanOptionsSchema = sourceBaseOptionsSchema
  .extend({
    clientId: z.string().default('okki_client_id'),
    clientSecret: z.string().default('okki_client_secret'),
    tokenTtlSeconds: z.number().int().min(1).default(28_800),
    maxCount: z
      .number()
      .int()
      .min(1)
      .default(500)
      .describe('max page size (`count`); U, 500 observed'),
    maxWindowDays: z
      .number()
      .positive()
      .nullable()
      .default(null)
      .describe('max start/end span; none documented'),
    rateLimit: z
      .object({
        perSecond: z
          .number()
          .int()
          .min(0)
          .default(10)
          .describe('U: our choice; 0 = unlimited'),
        perMinute: z.number().int().min(0).default(0),
      })
      .prefault({}),
  })
  .strict();
export type XiaomanOptions = z.input<typeof xiaomanOptionsSchema>;

/** Xiaoman admin API: the source admin plus token revocation (-> 401 on the next call). */
export interface XiaomanAdminApi extends SourceAdminApi {
  revokeTokens(): number;
}

export interface XiaomanSimulator extends Omit<SourceSimulator, 'admin'> {
  admin: XiaomanAdminApi;
}

interface IssuedToken {
  token: string;
  scopes: string[];
  expiresAt: number;
}

const DATE_OR_TIME = /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$/;
const TIME_FIELDS = {
  '1': 'update_time',
  '2': 'create_time',
  '3': 'account_date',
  '4': 'delete_time',
} as const;

/**
 * Starts the Xiaoman OKKI CRM open API simulator: OAuth2 client_credentials token, Bearer auth,
 * `GET /v1/invoices/order/list` (no product_list), `GET /v1/invoices/order/info` (with product_list)
 * and `GET /v1/invoices/order/orderEnums`.
 */
export async function startXiaomanSimulator(
  input: XiaomanOptions & RuntimeOptions<XiaomanOrder> = {},
): Promise<XiaomanSimulator> {
  const { clock: clockOpt, fixtures: fixturesOpt, ...rest } = input;
  const opts = xiaomanOptionsSchema.parse(rest);
  const base = sourcePlumbing(opts, clockOpt, xiaomanOrderSchema, fixturesOpt);
  const { clock, faults, log } = base;
  const orders = primaryDataset<XiaomanOrder>(xiaomanOrderSpec, opts, base);
  const rates = dataControl(orders, opts, clock);
  const limiter = new SlidingWindowLimiter([
    { limit: opts.rateLimit.perSecond, windowMs: 1000, code: 429 },
    { limit: opts.rateLimit.perMinute, windowMs: 60_000, code: 429 },
  ]);
  const tokens = new Map<string, IssuedToken>();

  const fail = (
    status: number,
    message: string,
    outcome: SimResult['outcome'] = 'rejected',
  ): SimResult => ({
    status,
    body: { code: status, message },
    outcome,
    code: status,
  });
  const ok = (data: unknown): SimResult => ({
    status: 200,
    body: { code: 200, message: 'success', now: formatBeijing(clock()), data },
    outcome: 'ok',
    code: 200,
  });

  function tokenRequest(req: SimRequest): SimResult {
    if (req.method !== 'POST') return fail(405, '请使用POST方式请求');
    let body: Record<string, unknown>;
    if (req.contentType === 'application/json') {
      try {
        const parsed: unknown = JSON.parse(req.body);
        if (
          parsed === null ||
          typeof parsed !== 'object' ||
          Array.isArray(parsed)
        )
          return fail(400, '请求体必须是JSON对象');
        body = parsed as Record<string, unknown>;
      } catch {
        return fail(400, '请求体不是合法的JSON');
      }
    } else if (req.contentType === 'application/x-www-form-urlencoded') {
      body = Object.fromEntries(req.form);
    } else {
      return fail(400, '不支持的Content-Type');
    }
    const grant = body['grant_type'];
    if (grant !== 'client_credentials')
      return fail(400, `unsupported_grant_type: ${String(grant ?? '')}`);
    if (
      body['client_id'] !== opts.clientId ||
      body['client_secret'] !== opts.clientSecret
    )
      return fail(401, 'invalid_client: 客户端认证失败');
    const scopes =
      typeof body['scope'] === 'string'
        ? body['scope'].split(/\s+/).filter(Boolean)
        : [];
    const now = clock();
    const key = scopes.slice().sort().join(' ');
    // Re-requesting within the validity returns the same token and does not extend it.
    const existing = [...tokens.values()].find(
      (t) => t.expiresAt > now && t.scopes.slice().sort().join(' ') === key,
    );
    const issued = existing ?? {
      token: randomBytes(20).toString('hex'),
      scopes,
      expiresAt: now + opts.tokenTtlSeconds * 1000,
    };
    tokens.set(issued.token, issued);
    return {
      status: 200,
      body: {
        token_type: 'Bearer',
        expires_in: Math.floor((issued.expiresAt - now) / 1000),
        access_token: issued.token,
        scope: scopes.join(' '),
      },
      outcome: 'ok',
    };
  }

  function authorize(req: SimRequest, scope: string): SimResult | null {
    const header = req.headers['authorization'];
    const match =
      typeof header === 'string' ? /^Bearer (\S+)$/.exec(header) : null;
    const issued = match ? tokens.get(match[1]!) : undefined;
    if (!issued || issued.expiresAt <= req.at)
      return fail(401, 'access_token无效或已过期');
    if (!issued.scopes.includes(scope))
      return fail(403, `no permission ${scope} scopes`);
    if (limiter.tryAcquire(req.at) !== null)
      return fail(429, '请求过于频繁，请稍后再试', 'throttled');
    return null;
  }

  function parseBound(
    text: string | null,
    endOfDay: boolean,
  ): number | null | 'invalid' {
    if (text === null || text === '') return null;
    if (!DATE_OR_TIME.test(text)) return 'invalid';
    const ms = parseBeijing(text, true);
    if (ms === null) return 'invalid';
    return endOfDay && text.length === 10 ? ms + 86_400_000 - 1000 : ms;
  }

  function orderList(req: SimRequest): SimResult {
    const q = req.query;
    const countText = q.get('count') ?? '10';
    const indexText = q.get('start_index') ?? '1';
    if (!/^\d+$/.test(countText) || Number(countText) < 1)
      return fail(400, 'count参数错误');
    if (Number(countText) > opts.maxCount)
      return fail(400, `count不能大于${opts.maxCount}`);
    if (!/^\d+$/.test(indexText) || Number(indexText) < 1)
      return fail(400, 'start_index参数错误，从1开始');
    const timeType = q.get('time_type') ?? '1';
    if (!(timeType in TIME_FIELDS)) return fail(400, 'time_type参数错误');
    const from = parseBound(q.get('start_time'), false);
    const to = parseBound(q.get('end_time'), true);
    if (from === 'invalid' || to === 'invalid')
      return fail(400, '时间格式错误，应为YYYY-MM-DD');
    if (from !== null && to !== null && to < from)
      return fail(400, 'end_time不能早于start_time');
    if (
      opts.maxWindowDays !== null &&
      from !== null &&
      to !== null &&
      to - from > opts.maxWindowDays * 86_400_000
    ) {
      return fail(400, `时间跨度不能超过${opts.maxWindowDays}天`);
    }
    const statusText = q.get('status');
    if (statusText !== null && statusText !== '' && !/^\d+$/.test(statusText))
      return fail(400, 'status参数错误');
    const count = Number(countText);
    const index = Number(indexText);
    const field = TIME_FIELDS[timeType as keyof typeof TIME_FIELDS];
    const removed = q.get('removed') === '1' || timeType === '4';

    orders.evolve(req.at);
    const timeOf = (o: XiaomanOrder): number | null => orders.timeOf(o, field);
    const filtered = orders.current().filter((o) => {
      const t = timeOf(o);
      return (
        (removed ? o.delete_time !== '' : o.delete_time === '') &&
        (from === null || (t !== null && t >= from)) &&
        (to === null || (t !== null && t <= to)) &&
        // status 0 is the seed's "every status" (like removed=0, approval=0); real ids are large.
        (!statusText || statusText === '0' || String(o.status) === statusText)
      );
    });
    const matched = sortByKey(
      filtered,
      (o) => timeOf(o) ?? 0,
      (a, b) => a.order_id - b.order_id,
    );
    const list = withDuplicates(
      matched,
      faults.current.duplicateRate,
      faults.current.seed,
      (o) => String(o.order_id),
      count,
    );
    const page = list
      .slice((index - 1) * count, index * count)
      .map(({ product_list: _p, delete_time: _d, ...visible }) => visible);
    if (rates.drift() > 0) orders.drift(matched, rates.drift(), req.at);
    const corrupt = corruptPage(page, faults, XIAOMAN_ORDER_LIST_PATH, [
      'order_id',
      'update_time',
    ]);
    return {
      ...ok({ count: list.length, list: corrupt.rows }),
      ...(corrupt.corrupted ? { fault: 'corrupt-record' as const } : {}),
      ...queryCost(opts.queryCostMsPerThousand, matched.length),
    };
  }

  function orderInfo(req: SimRequest): SimResult {
    const id = req.query.get('order_id');
    if (!id || !/^\d+$/.test(id)) return fail(400, 'order_id参数错误');
    orders.evolve(req.at);
    const order = orders.store.get(id);
    if (!order || order.delete_time !== '')
      return fail(404, '订单不存在或已删除');
    const { delete_time: _d, ...visible } = order;
    return ok(visible);
  }

  const admin = createSourceAdmin({
    datasets: [
      adminDataset('orders', orders, xiaomanOrderSchema, (o) => {
        const { delete_time: _d, ...visible } = o;
        return visible;
      }),
    ],
    faults,
    log,
    clock,
    setData: rates.setData,
    onReset: () => {
      limiter.reset();
      tokens.clear();
      rates.reset();
    },
  });
  const revokeTokens = (): number => {
    const n = tokens.size;
    tokens.clear();
    return n;
  };

  const server = await startSourceServer(base, opts, admin, {
    name: 'xiaoman',
    adminRoutes: [
      {
        method: 'POST',
        path: '/revoke-tokens',
        handle: () => ({ revoked: revokeTokens() }),
      },
    ],
    endpointOf: (req) => req.path,
    platformError: (kind) =>
      kind === 'not_found'
        ? fail(404, '接口不存在', 'not_found')
        : kind === 'too_large'
          ? fail(413, '请求体过大')
          : fail(
              500,
              '系统繁忙，请稍后重试',
              kind === 'fault' ? 'fault' : 'rejected',
            ),
    handle: (req) => {
      if (req.path === XIAOMAN_TOKEN_PATH) return tokenRequest(req);
      const known = [
        XIAOMAN_ORDER_LIST_PATH,
        XIAOMAN_ORDER_INFO_PATH,
        XIAOMAN_ORDER_ENUMS_PATH,
      ];
      if (!known.includes(req.path))
        return fail(404, '接口不存在', 'not_found');
      if (req.method !== 'GET') return fail(405, '请使用GET方式请求');
      const denied = authorize(req, 'invoices');
      if (denied) return denied;
      if (req.path === XIAOMAN_ORDER_LIST_PATH) return orderList(req);
      if (req.path === XIAOMAN_ORDER_INFO_PATH) return orderInfo(req);
      return ok({
        order_status_list: XIAOMAN_ORDER_STATUSES.map((s) => ({
          code: s.code,
          name: s.name,
        })),
      });
    },
  });
  return { ...server, admin: { ...admin.api, revokeTokens } };
}
