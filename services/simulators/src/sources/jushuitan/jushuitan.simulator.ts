import { z } from 'zod';
import {
  parseBeijing,
  SlidingWindowLimiter,
  type SimRequest,
  type SimResult,
} from '../../common';
import { adminDataset, createSourceAdmin } from '../source-admin';
import { withDuplicates } from '../source-dataset';
import {
  firstIssue,
  intLike,
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
import { jushuitanCountSpec } from './jushuitan-data';
import {
  JUSHUITAN_INVENTORY_COUNT_PATH as JUSHUITAN_COUNT_PATH,
  JUSHUITAN_TOKEN_PATH,
  jushuitanSign,
} from '@kingbridge/source-jushuitan/protocol';
import {
  JUSHUITAN_COUNT_STATUSES,
  jushuitanCountSchema,
  type JushuitanCount,
} from './jushuitan.model';

/** Error codes: 0/10/100/140/199/200 documented (reference §3.5); 20 (app_key) and 90 (parameters) are our choice. */
export const JUSHUITAN_CODES = {
  ok: 0,
  badSign: 10,
  badAppKey: 20,
  badParam: 90,
  badToken: 100,
  ipNotAllowed: 110,
  badTimestamp: 140,
  apiNotGranted: 190,
  perSecond: 199,
  perMinute: 200,
  busy: 500,
} as const;

const MESSAGES: Readonly<Record<number, string>> = {
  0: '执行成功',
  10: '验证失败！无效签名',
  20: '验证失败！无效的app_key',
  190: '验证失败！无API权限，请申请API权限',
  100: '验证失败！无效的access_token或access_token已过期',
  140: '验证失败！无效的timestamp，请求最大时间误差15分钟',
  199: '调用频次超过限制!请稍后再试',
  200: '调用频次超过限制',
  500: '系统繁忙，请稍后再试',
};

export const jushuitanOptionsSchema = sourceBaseOptionsSchema
  .extend({
    appKey: z.string().default('5b53060f23d84ddf9703056e84fa5a2d'),
    appSecret: z.string().default('e9c5ca33fecb404b8e6cdbd0ef4a6d25'),
    accessToken: z.string().default('d7b01bf0842a4742a9450e21ffd95f60'),
    timestampSkewSeconds: z.number().int().min(0).default(900),
    maxPageSize: z.number().int().min(1).default(50),
    defaultPageSize: z.number().int().min(1).default(30),
    maxWindowDays: z.number().positive().default(7),
    maxIoIds: z.number().int().min(1).default(50),
    grantedApis: z
      .array(z.string())
      .nullable()
      .default(null)
      .describe('paths the app may call (code 190 otherwise); null = all'),
    ipWhitelist: z
      .array(z.string())
      .nullable()
      .default(null)
      .describe(
        'client addresses allowed (code 110 otherwise); null = no whitelist',
      ),
    rateLimit: z
      .object({
        perSecond: z
          .number()
          .int()
          .min(0)
          .default(5)
          .describe('code 199 above it; 0 = unlimited'),
        perMinute: z
          .number()
          .int()
          .min(0)
          .default(100)
          .describe('code 200 above it; 0 = unlimited'),
      })
      .prefault({}),
  })
  .strict();
export type JushuitanOptions = z.input<typeof jushuitanOptionsSchema>;

const BIZ_REQUIRED = [
  'app_key',
  'access_token',
  'timestamp',
  'charset',
  'version',
  'biz',
  'sign',
] as const;

const bizSchema = z.looseObject({
  page_index: intLike.optional(),
  page_size: intLike.optional(),
  modified_begin: z.string().optional(),
  modified_end: z.string().optional(),
  io_ids: z
    .union([
      z.string(),
      z.array(z.union([z.string(), z.number()])).transform((a) => a.join(',')),
    ])
    .optional(),
  status: z.enum(JUSHUITAN_COUNT_STATUSES).optional(),
});

/**
 * Starts the Jushuitan (聚水潭) open API v2 simulator: `POST /open/inventory/count/query` (form body,
 * `biz` JSON) and the self-developed app token call `POST /openWeb/auth/getInitToken`.
 */
export async function startJushuitanSimulator(
  input: JushuitanOptions & RuntimeOptions<JushuitanCount> = {},
): Promise<SourceSimulator> {
  const { clock: clockOpt, fixtures: fixturesOpt, ...rest } = input;
  const opts = jushuitanOptionsSchema.parse(rest);
  const base = sourcePlumbing(
    opts,
    clockOpt,
    jushuitanCountSchema,
    fixturesOpt,
  );
  const { clock, faults, log } = base;
  const counts = primaryDataset<JushuitanCount>(jushuitanCountSpec, opts, base);
  const rates = dataControl(counts, opts, clock);
  // Scope of the limits is unconfirmed: we count per app (all APIs together).
  const limiter = new SlidingWindowLimiter<number>([
    {
      limit: opts.rateLimit.perSecond,
      windowMs: 1000,
      code: JUSHUITAN_CODES.perSecond,
    },
    {
      limit: opts.rateLimit.perMinute,
      windowMs: 60_000,
      code: JUSHUITAN_CODES.perMinute,
    },
  ]);

  const fail = (
    code: number,
    msg?: string,
    outcome: SimResult['outcome'] = 'rejected',
    status = 200,
  ): SimResult => ({
    status,
    body: { code, msg: msg ?? MESSAGES[code] ?? '参数错误', data: null },
    outcome,
    code,
  });

  function params(req: SimRequest): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of req.form) out[k] = v;
    return out;
  }

  function checkCommon(
    p: Record<string, string>,
    required: readonly string[],
    at: number,
  ): SimResult | null {
    for (const name of required)
      if (p[name] === undefined || p[name] === '')
        return fail(JUSHUITAN_CODES.badParam, `缺少必要参数${name}`);
    if (p['app_key'] !== opts.appKey) return fail(JUSHUITAN_CODES.badAppKey);
    if (p['sign'] !== jushuitanSign(p, opts.appSecret))
      return fail(JUSHUITAN_CODES.badSign);
    const ts = p['timestamp'] ?? '';
    if (
      !/^\d{10}$/.test(ts) ||
      Math.abs(Number(ts) * 1000 - at) > opts.timestampSkewSeconds * 1000
    )
      return fail(JUSHUITAN_CODES.badTimestamp);
    if (p['charset'] !== 'utf-8')
      return fail(JUSHUITAN_CODES.badParam, 'charset目前只能传utf-8');
    return null;
  }

  function countQuery(p: Record<string, string>, at: number): SimResult {
    const common = checkCommon(p, BIZ_REQUIRED, at);
    if (common) return common;
    if (p['access_token'] !== opts.accessToken)
      return fail(JUSHUITAN_CODES.badToken);
    if (opts.grantedApis && !opts.grantedApis.includes(JUSHUITAN_COUNT_PATH))
      return fail(JUSHUITAN_CODES.apiNotGranted);
    if (p['version'] !== '2')
      return fail(JUSHUITAN_CODES.badParam, 'version必须为2');
    const throttled = limiter.tryAcquire(at);
    if (throttled !== null) return fail(throttled, undefined, 'throttled');
    let raw: unknown;
    try {
      raw = JSON.parse(p['biz'] ?? '');
    } catch {
      return fail(JUSHUITAN_CODES.badParam, 'biz不是合法的JSON');
    }
    const parsed = bizSchema.safeParse(raw);
    if (!parsed.success)
      return fail(
        JUSHUITAN_CODES.badParam,
        `参数错误: ${firstIssue(parsed.error)}`,
      );
    const biz = parsed.data;
    const pageIndex = biz.page_index ?? 1;
    const pageSize = biz.page_size ?? opts.defaultPageSize;
    if (pageIndex < 1)
      return fail(JUSHUITAN_CODES.badParam, 'page_index从1开始');
    if (pageSize < 1 || pageSize > opts.maxPageSize)
      return fail(
        JUSHUITAN_CODES.badParam,
        `page_size不能大于${opts.maxPageSize}`,
      );
    const ioIds =
      biz.io_ids === undefined || biz.io_ids === ''
        ? undefined
        : biz.io_ids.split(',').map((s) => s.trim());
    if (ioIds && ioIds.length > opts.maxIoIds)
      return fail(JUSHUITAN_CODES.badParam, `io_ids最多${opts.maxIoIds}个`);
    let from: number | null = null;
    let to: number | null = null;
    if (biz.modified_begin !== undefined || biz.modified_end !== undefined) {
      if (!biz.modified_begin || !biz.modified_end)
        return fail(
          JUSHUITAN_CODES.badParam,
          'modified_begin和modified_end必须同时存在',
        );
      from = parseBeijing(biz.modified_begin);
      to = parseBeijing(biz.modified_end);
      if (from === null || to === null)
        return fail(
          JUSHUITAN_CODES.badParam,
          '时间格式错误，应为yyyy-MM-dd HH:mm:ss',
        );
      if (to < from)
        return fail(
          JUSHUITAN_CODES.badParam,
          'modified_end不能早于modified_begin',
        );
      if (to - from > opts.maxWindowDays * 86_400_000)
        return fail(
          JUSHUITAN_CODES.badParam,
          `修改时间跨度不能超过${opts.maxWindowDays}天`,
        );
    } else if (!ioIds) {
      return fail(JUSHUITAN_CODES.badParam, '修改时间和单号不能同时为空');
    }

    counts.evolve(at);
    const modifiedOf = (c: JushuitanCount): number =>
      counts.timeOf(c, 'modified') ?? 0;
    const filtered = counts
      .current()
      .filter(
        (c) =>
          (from === null ||
            (modifiedOf(c) >= from && to !== null && modifiedOf(c) <= to)) &&
          (!ioIds || ioIds.includes(String(c.io_id))) &&
          (biz.status === undefined || c.status === biz.status),
      );
    const matched = sortByKey(
      filtered,
      modifiedOf,
      (a, b) => a.io_id - b.io_id,
    );
    const list = withDuplicates(
      matched,
      faults.current.duplicateRate,
      faults.current.seed,
      (c) => String(c.io_id),
      pageSize,
    );
    const page = list.slice((pageIndex - 1) * pageSize, pageIndex * pageSize);
    const pageCount = Math.ceil(list.length / pageSize);
    if (rates.drift() > 0) counts.drift(matched, rates.drift(), at);
    const corrupt = corruptPage(page, faults, JUSHUITAN_COUNT_PATH, [
      'io_id',
      'modified',
      'items',
    ]);
    return {
      ...(corrupt.corrupted ? { fault: 'corrupt-record' as const } : {}),
      ...queryCost(opts.queryCostMsPerThousand, matched.length),
      status: 200,
      body: {
        code: 0,
        msg: MESSAGES[0],
        data: {
          page_size: pageSize,
          page_index: pageIndex,
          data_count: list.length,
          page_count: pageCount,
          has_next: pageIndex < pageCount,
          datas: corrupt.rows,
        },
      },
      outcome: 'ok',
      code: 0,
    };
  }

  function initToken(p: Record<string, string>, at: number): SimResult {
    const common = checkCommon(
      p,
      ['app_key', 'grant_type', 'timestamp', 'charset', 'code', 'sign'],
      at,
    );
    if (common) return common;
    if (p['grant_type'] !== 'authorization_code')
      return fail(JUSHUITAN_CODES.badParam, 'grant_type错误');
    return {
      status: 200,
      body: {
        code: 0,
        msg: MESSAGES[0],
        data: {
          access_token: opts.accessToken,
          expires_in: 2_592_000,
          refresh_token: `r${opts.accessToken.slice(1)}`,
          scope: 'all',
        },
      },
      outcome: 'ok',
      code: 0,
    };
  }

  const admin = createSourceAdmin({
    datasets: [adminDataset('counts', counts, jushuitanCountSchema)],
    faults,
    log,
    clock,
    setData: rates.setData,
    onReset: () => {
      limiter.reset();
      rates.reset();
    },
  });

  const server = await startSourceServer(base, opts, admin, {
    name: 'jushuitan',
    endpointOf: (req) => req.path,
    platformError: (kind) =>
      kind === 'not_found'
        ? fail(404, '接口不存在', 'not_found', 404)
        : kind === 'too_large'
          ? fail(JUSHUITAN_CODES.badParam, '请求数据过大')
          : fail(
              JUSHUITAN_CODES.busy,
              undefined,
              kind === 'fault' ? 'fault' : 'rejected',
            ),
    handle: (req) => {
      const known =
        req.path === JUSHUITAN_COUNT_PATH || req.path === JUSHUITAN_TOKEN_PATH;
      if (!known) return fail(404, '接口不存在', 'not_found', 404);
      if (req.method !== 'POST')
        return fail(JUSHUITAN_CODES.badParam, '请使用POST方式调用');
      if (req.contentType !== 'application/x-www-form-urlencoded') {
        return fail(
          JUSHUITAN_CODES.badParam,
          'Content-Type必须为application/x-www-form-urlencoded',
        );
      }
      if (opts.ipWhitelist && !opts.ipWhitelist.includes(req.remoteAddress)) {
        return fail(
          JUSHUITAN_CODES.ipNotAllowed,
          `验证失败！已设置IP白名单，该IP不在白名单列表：${req.remoteAddress}`,
        );
      }
      const p = params(req);
      return req.path === JUSHUITAN_COUNT_PATH
        ? countQuery(p, req.at)
        : initToken(p, req.at);
    },
  });
  return { ...server, admin: admin.api };
}
