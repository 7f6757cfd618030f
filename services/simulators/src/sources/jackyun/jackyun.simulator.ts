import { z } from 'zod';
import {
  parseBeijing,
  stringifyWithBigInt,
  SlidingWindowLimiter,
  type SimRequest,
  type SimResult,
} from '../../common';
import { adminDataset, createSourceAdmin } from '../source-admin';
import { SourceDataset, withDuplicates } from '../source-dataset';
import {
  decodeCursor,
  encodeCursor,
  firstIssue,
  intLike,
  queryKeyOf,
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
import { jackyunChannelSpec, jackyunTradeSpec } from './jackyun-data';
import {
  JACKYUN_CHANNELS_METHOD,
  JACKYUN_GATEWAY_PATH,
  JACKYUN_QIMEN_PATH,
  JACKYUN_TRADES_METHOD,
  jackyunSign,
  qimenSign,
} from '@kingbridge/source-jackyun/protocol';
import {
  jackyunChannelSchema,
  jackyunTradeSchema,
  type JackyunChannel,
  type JackyunTrade,
} from './jackyun.model';

/** Error subCodes. Only 0130020001 / 0130000609 / 0130020327 are confirmed (reference §1.4); the rest are our choice. */
export const JACKYUN_SUBCODES = {
  unknown: '0130020001',
  appNotOpened: '0130000609',
  pageSizeTooLarge: '0130020327',
  missingParam: '0130020003',
  badSign: '0130020004',
  badTimestamp: '0130020005',
  unknownMethod: '0130020006',
  badParam: '0130020007',
  windowTooLong: '0130020008',
  badScrollId: '0130020010',
  notPost: '0130020011',
  throttled: '0130020429',
  notFound: '0130020404',
} as const;

export const jackyunOptionsSchema = sourceBaseOptionsSchema
  .extend({
    appkey: z.string().default('12345678'),
    secret: z.string().default('DemoSecret'),
    timestampSkewSeconds: z
      .number()
      .int()
      .min(0)
      .default(600)
      .describe('allowed |timestamp - now| (U: our choice)'),
    maxPageSize: z.number().int().min(1).default(200),
    maxWindowDays: z.number().positive().default(7),
    rateLimit: z
      .object({
        perSecond: z.number().int().min(0).default(5).describe('0 = unlimited'),
        perMinute: z.number().int().min(0).default(0).describe('0 = unlimited'),
      })
      .prefault({}),
    dataAsJsonString: z
      .boolean()
      .default(true)
      .describe('order method: result.data is a JSON-encoded string'),
    scrollIdPlacement: z.enum(['data', 'result', 'both']).default('data'),
    scrollIdTtlSeconds: z
      .number()
      .int()
      .min(1)
      .default(600)
      .describe('a scrollId older than this is refused (U: our choice)'),
    emptyScrollIdRate: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe('share of cursor pages answered with an empty scrollId'),
    honourIsDeleteFilter: z
      .boolean()
      .default(false)
      .describe(
        'order method: apply the isDelete filter (production returns deleted rows anyway)',
      ),
    channelCount: z.number().int().min(0).default(24),
    qimenAppKey: z.string().default('demo_jky_qm_key'),
    qimenSecret: z.string().default('demo_jky_qm_secret'),
    qimenTargetAppKey: z.string().default('demo_jky_target'),
    includeChannelGmtModified: z
      .boolean()
      .default(false)
      .describe('erp.sales.get returns gmtCreate/gmtModified'),
  })
  .strict();
export type JackyunOptions = z.input<typeof jackyunOptionsSchema>;

const QIMEN_SYSTEM_PARAMS = [
  'method',
  'app_key',
  'target_app_key',
  'format',
  'v',
  'sign_method',
  'timestamp',
  'sign',
  'jkyappkey',
  'jkytimestamp',
  'jkyversion',
  'content',
  'jkysign',
] as const;

const SYSTEM_PARAMS = [
  'method',
  'appkey',
  'version',
  'contenttype',
  'timestamp',
  'bizcontent',
  'sign',
] as const;

/** Time filter pairs of the order method -> stored field. */
const TIME_PAIRS = [
  ['startConsignTime', 'endConsignTime', 'consignTime'],
  ['startModified', 'endModified', 'gmtModified'],
  ['startCreated', 'endCreated', 'gmtCreate'],
  ['startTradeTime', 'endTradeTime', 'tradeTime'],
  ['startAuditTime', 'endAuditTime', 'auditTime'],
] as const;

const optionalText = z
  .union([z.string(), z.number().transform(String)])
  .optional();

const tradeBizSchema = z.looseObject({
  pageIndex: intLike.optional(),
  pageSize: intLike.optional(),
  scrollId: z.string().optional(),
  fields: z.string().optional(),
  hasTotal: intLike.optional(),
  tradeNo: optionalText,
  tradeIds: optionalText,
  sourceTradeNos: optionalText,
  shopIds: optionalText,
  warehouseIds: optionalText,
  tradeStatus: intLike.optional(),
  tradeStatusList: optionalText,
  tradeType: intLike.optional(),
  isDelete: optionalText,
  ...Object.fromEntries(
    TIME_PAIRS.flatMap(([s, e]) => [
      [s, z.string().optional()],
      [e, z.string().optional()],
    ]),
  ),
});

const channelBizSchema = z.looseObject({
  pageIndex: intLike.optional(),
  pageSize: intLike.optional(),
  isBlockup: optionalText,
  isDelete: optionalText,
  channelCodes: optionalText,
  channelIds: optionalText,
  code: optionalText,
  name: optionalText,
  cateNames: optionalText,
  gmtModifiedStart: z.string().optional(),
  gmtModifiedEnd: z.string().optional(),
});

const csv = (v: string | undefined): string[] | undefined =>
  v === undefined || v.trim() === ''
    ? undefined
    : v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);

/** Compares non-negative decimal strings numerically without BigInt. */
const compareDigits = (a: string, b: string): number =>
  a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

const pascal = (name: string): string =>
  name.charAt(0).toUpperCase() + name.slice(1);

function projectRecord(
  record: Readonly<Record<string, unknown>>,
  names: readonly string[] | 'all',
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record))
    if (names === 'all' || names.includes(k)) out[pascal(k)] = v;
  return out;
}

/**
 * Starts the Jackyun (吉客云) open-platform gateway simulator: `POST /open/openapi/do`, form body,
 * methods `jackyun.tradenotsensitiveinfos.list.get` and `erp.sales.get`.
 */
export async function startJackyunSimulator(
  input: JackyunOptions & RuntimeOptions<JackyunTrade> = {},
): Promise<SourceSimulator> {
  const { clock: clockOpt, fixtures: fixturesOpt, ...rest } = input;
  const opts = jackyunOptionsSchema.parse(rest);
  const base = sourcePlumbing(opts, clockOpt, jackyunTradeSchema, fixturesOpt);
  const { clock, faults, log } = base;
  const trades = primaryDataset<JackyunTrade>(jackyunTradeSpec, opts, base);
  const rates = dataControl(trades, opts, clock);
  const channels = new SourceDataset<JackyunChannel>(jackyunChannelSpec, {
    seed: opts.seed + 1,
    initialRecords: opts.channelCount,
    anchor: base.anchor,
    historyMs: base.historyMs * 10,
    arrivalsPerMinute: 0,
    modificationsPerMinute: 0,
  });
  const limiter = new SlidingWindowLimiter([
    {
      limit: opts.rateLimit.perSecond,
      windowMs: 1000,
      code: JACKYUN_SUBCODES.throttled,
    },
    {
      limit: opts.rateLimit.perMinute,
      windowMs: 60_000,
      code: JACKYUN_SUBCODES.throttled,
    },
  ]);
  let contextSeq = 0;
  let cursorPages = 0;
  const contextId = (): string =>
    String(2086180815808988032n + BigInt(++contextSeq));

  const fail = (
    subCode: string,
    msg: string,
    outcome: SimResult['outcome'] = 'rejected',
    status = 200,
  ): SimResult => ({
    status,
    body: {
      code: 0,
      msg,
      subCode,
      result: { data: null, contextId: contextId() },
    },
    outcome,
    code: subCode,
  });
  const ok = (result: Record<string, unknown>): SimResult => ({
    status: 200,
    body: {
      code: 200,
      msg: '',
      subCode: '',
      result: { ...result, contextId: contextId() },
    },
    outcome: 'ok',
    code: 200,
  });

  function paramsOf(req: SimRequest): Record<string, string> {
    const params: Record<string, string> = {};
    for (const [k, v] of req.query) params[k] = v;
    for (const [k, v] of req.form) params[k] = v;
    return params;
  }

  function checkPageSize(
    size: number | undefined,
    fallback: number,
  ): number | SimResult {
    const pageSize = size ?? fallback;
    if (pageSize > opts.maxPageSize)
      return fail(
        JACKYUN_SUBCODES.pageSizeTooLarge,
        `pageSize不能大于${opts.maxPageSize}`,
      );
    if (pageSize < 1)
      return fail(JACKYUN_SUBCODES.badParam, 'pageSize必须大于0');
    return pageSize;
  }

  function queryTrades(bizRaw: unknown, now: number): SimResult {
    const parsed = tradeBizSchema.safeParse(bizRaw);
    if (!parsed.success)
      return fail(
        JACKYUN_SUBCODES.badParam,
        `参数错误: ${firstIssue(parsed.error)}`,
      );
    const biz = parsed.data as z.infer<typeof tradeBizSchema> &
      Record<string, string | undefined>;
    const pageSize = checkPageSize(biz.pageSize, 50);
    if (typeof pageSize !== 'number') return pageSize;
    const pageIndex = biz.pageIndex ?? 0;
    if (pageIndex < 0)
      return fail(JACKYUN_SUBCODES.badParam, 'pageIndex不能小于0');
    if (!biz.fields || biz.fields.trim() === '')
      return fail(JACKYUN_SUBCODES.missingParam, '缺少必要参数fields');

    const ranges: {
      field: (typeof TIME_PAIRS)[number][2];
      from: number;
      to: number;
    }[] = [];
    for (const [s, e, field] of TIME_PAIRS) {
      const start = biz[s];
      const end = biz[e];
      if (start === undefined && end === undefined) continue;
      if (start === undefined || end === undefined)
        return fail(JACKYUN_SUBCODES.badParam, `${s}和${e}必须同时传入`);
      const from = parseBeijing(start);
      const to = parseBeijing(end);
      if (from === null || to === null)
        return fail(
          JACKYUN_SUBCODES.badParam,
          `时间格式错误，应为yyyy-MM-dd HH:mm:ss: ${s}/${e}`,
        );
      if (to < from) return fail(JACKYUN_SUBCODES.badParam, `${e}不能早于${s}`);
      if (to - from > opts.maxWindowDays * 86_400_000)
        return fail(
          JACKYUN_SUBCODES.windowTooLong,
          `起止时间不能超过${opts.maxWindowDays}天`,
        );
      ranges.push({ field, from, to });
    }
    const tradeNos = csv(biz.tradeNo);
    const tradeIds = csv(biz.tradeIds);
    const sourceTradeNos = csv(biz.sourceTradeNos);
    if (ranges.length === 0 && !tradeNos && !tradeIds && !sourceTradeNos) {
      return fail(
        JACKYUN_SUBCODES.badParam,
        '销售单号、网店订单号、修改时间、创建时间、审核时间、发货时间、下单时间必传其一',
      );
    }
    const shopIds = csv(biz.shopIds);
    const warehouseIds = csv(biz.warehouseIds);
    const statusList = csv(biz.tradeStatusList)?.map(Number);

    trades.evolve(now);
    const sortField = ranges[0]?.field;
    const timeOf = (
      t: JackyunTrade,
      f: (typeof TIME_PAIRS)[number][2],
    ): number | null => trades.timeOf(t, f);
    const filtered = trades.current().filter(
      (t) =>
        ranges.every(({ field, from, to }) => {
          const v = timeOf(t, field);
          return v !== null && v >= from && v <= to;
        }) &&
        (!tradeNos || tradeNos.includes(t.tradeNo)) &&
        (!tradeIds || tradeIds.includes(t.tradeId)) &&
        (!sourceTradeNos ||
          sourceTradeNos.includes(String(t['sourceTradeNo']))) &&
        (!shopIds || shopIds.includes(t.shopId)) &&
        (!warehouseIds || warehouseIds.includes(t.warehouseId)) &&
        (biz.tradeStatus === undefined || t.tradeStatus === biz.tradeStatus) &&
        (!statusList || statusList.includes(t.tradeStatus)) &&
        (biz.tradeType === undefined || t.tradeType === biz.tradeType) &&
        (!opts.honourIsDeleteFilter ||
          biz.isDelete === undefined ||
          String(t.isDelete) === biz.isDelete),
    );
    const matched = sortByKey(
      filtered,
      (t) => (sortField ? (timeOf(t, sortField) ?? 0) : 0),
      (a, b) => compareDigits(a.tradeId, b.tradeId),
    );
    const list = withDuplicates(
      matched,
      faults.current.duplicateRate,
      faults.current.seed,
      (t) => t.tradeId,
      pageSize,
    );

    const cursorMode = biz.scrollId !== undefined;
    const { scrollId: _s, pageIndex: _p, ...queryShape } = biz;
    const queryKey = queryKeyOf(queryShape);
    let offset = pageIndex * pageSize;
    if (cursorMode && biz.scrollId !== '') {
      const decoded = decodeCursor(
        biz.scrollId ?? '',
        queryKey,
        now,
        opts.scrollIdTtlSeconds * 1000,
      );
      if (decoded === null)
        return fail(JACKYUN_SUBCODES.badScrollId, 'scrollId无效或已过期');
      offset = decoded;
    }
    const page = list.slice(offset, offset + pageSize);

    const fields = biz.fields
      .split(',')
      .map((f) => f.trim())
      .filter(Boolean);
    const top = fields.filter((f) => !f.includes('.'));
    const sub = (prefix: string): string[] | 'all' | null => {
      const nested = fields
        .filter((f) => f.startsWith(`${prefix}.`))
        .map((f) => f.slice(prefix.length + 1));
      if (nested.length > 0) return nested;
      return top.includes(prefix) ? 'all' : null;
    };
    const goodsFields = sub('goodsDetail');
    const packageFields = sub('packageDetail');
    const plainFields = top.filter(
      (f) => f !== 'goodsDetail' && f !== 'packageDetail' && f !== 'scrollId',
    );
    const rows = page.map((t) => {
      const row = projectRecord(t, plainFields);
      if (goodsFields)
        row['GoodsDetail'] = t.goodsDetail.map((l) =>
          projectRecord(l, goodsFields),
        );
      if (packageFields) {
        const packages = Array.isArray(t['packageDetail'])
          ? (t['packageDetail'] as Record<string, unknown>[])
          : [];
        row['PackageDetail'] = packages.map((p) =>
          projectRecord(p, packageFields),
        );
      }
      return row;
    });

    let nextScrollId: string | undefined;
    if (cursorMode) {
      cursorPages++;
      const empty =
        opts.emptyScrollIdRate > 0 &&
        (cursorPages * 0.6180339887) % 1 < opts.emptyScrollIdRate;
      nextScrollId = empty
        ? ''
        : encodeCursor(queryKey, offset + page.length, now);
    }
    const data: Record<string, unknown> = {};
    if (biz.hasTotal === 1) data['TotalResults'] = list.length;
    if (nextScrollId !== undefined && opts.scrollIdPlacement !== 'result')
      data['ScrollId'] = nextScrollId;
    const corrupt = corruptPage(rows, faults, JACKYUN_TRADES_METHOD, [
      'TradeId',
      'TradeNo',
      'GmtModified',
      'ConsignTime',
      'GoodsDetail',
    ]);
    data['Trades'] = corrupt.rows;
    if (rates.drift() > 0) trades.drift(matched, rates.drift(), now);
    return {
      ...ok({
        data: opts.dataAsJsonString ? stringifyWithBigInt(data) : data,
        ...(nextScrollId !== undefined && opts.scrollIdPlacement !== 'data'
          ? { scrollId: nextScrollId }
          : {}),
      }),
      ...(corrupt.corrupted ? { fault: 'corrupt-record' as const } : {}),
      ...queryCost(opts.queryCostMsPerThousand, matched.length),
    };
  }

  function queryChannels(bizRaw: unknown): SimResult {
    const parsed = channelBizSchema.safeParse(bizRaw);
    if (!parsed.success)
      return fail(
        JACKYUN_SUBCODES.badParam,
        `参数错误: ${firstIssue(parsed.error)}`,
      );
    const biz = parsed.data;
    const pageSize = checkPageSize(biz.pageSize, 50);
    if (typeof pageSize !== 'number') return pageSize;
    const pageIndex = biz.pageIndex ?? 0;
    if (pageIndex < 0)
      return fail(JACKYUN_SUBCODES.badParam, 'pageIndex不能小于0');
    let from: number | null = null;
    let to: number | null = null;
    if (biz.gmtModifiedStart !== undefined) {
      from = parseBeijing(biz.gmtModifiedStart);
      if (from === null)
        return fail(
          JACKYUN_SUBCODES.badParam,
          '时间格式错误，应为yyyy-MM-dd HH:mm:ss: gmtModifiedStart',
        );
    }
    if (biz.gmtModifiedEnd !== undefined) {
      to = parseBeijing(biz.gmtModifiedEnd);
      if (to === null)
        return fail(
          JACKYUN_SUBCODES.badParam,
          '时间格式错误，应为yyyy-MM-dd HH:mm:ss: gmtModifiedEnd',
        );
    }
    const codes = csv(biz.channelCodes);
    const ids = csv(biz.channelIds);
    const cates = csv(biz.cateNames);
    const matched = channels
      .current()
      .filter((c) => {
        const modified = channels.timeOf(c, 'gmtModified');
        return (
          (biz.isBlockup === undefined ||
            String(c.isBlockup) === biz.isBlockup) &&
          (biz.isDelete === undefined || String(c.isDelete) === biz.isDelete) &&
          (!codes || codes.includes(c.channelCode)) &&
          (!ids || ids.includes(c.channelId.toString())) &&
          (biz.code === undefined || c.channelCode === biz.code) &&
          (biz.name === undefined || c.channelName.includes(biz.name)) &&
          (!cates || cates.includes(String(c['cateName']))) &&
          (from === null || (modified !== null && modified >= from)) &&
          (to === null || (modified !== null && modified <= to))
        );
      })
      .sort((a, b) =>
        a.channelId < b.channelId ? -1 : a.channelId > b.channelId ? 1 : 0,
      );
    const list = withDuplicates(
      matched,
      faults.current.duplicateRate,
      faults.current.seed,
      (c) => c.channelId.toString(),
      pageSize,
    );
    const page = list
      .slice(pageIndex * pageSize, (pageIndex + 1) * pageSize)
      .map((c) => {
        if (opts.includeChannelGmtModified) return c;
        const { gmtCreate: _c, gmtModified: _m, ...visible } = c;
        return visible;
      });
    const corrupt = corruptPage(page, faults, JACKYUN_CHANNELS_METHOD, [
      'channelId',
      'channelCode',
      'companyCode',
    ]);
    return {
      ...ok({ data: { salesChannelInfo: corrupt.rows } }),
      ...(corrupt.corrupted ? { fault: 'corrupt-record' as const } : {}),
      ...queryCost(opts.queryCostMsPerThousand, matched.length),
    };
  }

  const adminDatasets = [
    adminDataset('trades', trades, jackyunTradeSchema, (t) => {
      const row = projectRecord(t, 'all');
      row['GoodsDetail'] = t.goodsDetail.map((l) => projectRecord(l, 'all'));
      const packages = Array.isArray(t['packageDetail'])
        ? (t['packageDetail'] as Record<string, unknown>[])
        : [];
      row['PackageDetail'] = packages.map((p) => projectRecord(p, 'all'));
      return row;
    }),
    adminDataset(
      'channels',
      channels,
      jackyunChannelSchema as z.ZodType<JackyunChannel>,
      (c) => {
        if (opts.includeChannelGmtModified) return c;
        const { gmtCreate: _c, gmtModified: _m, ...visible } = c;
        return visible;
      },
    ),
  ];
  const admin = createSourceAdmin({
    datasets: adminDatasets,
    faults,
    log,
    clock,
    setData: rates.setData,
    onReset: () => {
      limiter.reset();
      rates.reset();
      cursorPages = 0;
    },
  });

  /** A signed call (either gateway): version, time, rate limit, method, bizcontent, then the query. */
  function dispatch(params: Record<string, string>, at: number): SimResult {
    if (params['version'] !== 'v1.0' && params['version'] !== '1.0')
      return fail(
        JACKYUN_SUBCODES.badParam,
        `不支持的版本号${params['version']}`,
      );
    if (params['contenttype']?.toLowerCase() !== 'json')
      return fail(JACKYUN_SUBCODES.badParam, 'contenttype必须为json');
    const ts = parseBeijing(params['timestamp'] ?? '');
    if (ts === null || Math.abs(ts - at) > opts.timestampSkewSeconds * 1000) {
      return fail(
        JACKYUN_SUBCODES.badTimestamp,
        '时间戳错误或已过期，请检查timestamp（yyyy-MM-dd HH:mm:ss，北京时间）',
      );
    }
    if (limiter.tryAcquire(at) !== null)
      return fail(
        JACKYUN_SUBCODES.throttled,
        '接口调用频率超过限制，请稍后再试',
        'throttled',
      );
    const method = params['method'];
    if (
      method !== JACKYUN_TRADES_METHOD &&
      method !== JACKYUN_CHANNELS_METHOD
    ) {
      return fail(
        JACKYUN_SUBCODES.unknownMethod,
        `接口${method}不存在或未授权`,
      );
    }
    let biz: unknown;
    try {
      biz = JSON.parse(params['bizcontent'] ?? '');
    } catch {
      return fail(JACKYUN_SUBCODES.badParam, 'bizcontent不是合法的JSON');
    }
    if (biz === null || typeof biz !== 'object' || Array.isArray(biz))
      return fail(JACKYUN_SUBCODES.badParam, 'bizcontent必须是JSON对象');
    return method === JACKYUN_TRADES_METHOD
      ? queryTrades(biz, at)
      : queryChannels(biz);
  }

  /**
   * 吉客云·奇门 (reference §1.8): the Qimen router checks its TOP signature,
   * the Jackyun part is signed as on the direct gateway (jkysign over the
   * jky* params and `content`); the Jackyun answer comes back inside `response`.
   */
  function qimen(req: SimRequest): SimResult {
    const p = paramsOf(req);
    const failure = (code: string, message: string): SimResult => ({
      status: 200,
      body: { response: { flag: 'failure', code, message } },
      outcome: 'rejected',
      code,
    });
    for (const name of QIMEN_SYSTEM_PARAMS)
      if (!p[name]) return failure('missing-parameter', `缺少参数${name}`);
    if (p['app_key'] !== opts.qimenAppKey)
      return failure('invalid-app-key', 'Invalid app key');
    if (p['sign'] !== qimenSign(p, opts.qimenSecret))
      return failure('sign-check-failure', 'Illegal request');
    if (p['target_app_key'] !== opts.qimenTargetAppKey)
      return failure('isv.invalid-target', '目标应用不存在');
    const direct: Record<string, string> = {
      method: p['jkymethod'] ?? p['method'] ?? '',
      appkey: p['jkyappkey'] ?? '',
      version: p['jkyversion'] ?? '',
      contenttype: 'json',
      timestamp: p['jkytimestamp'] ?? '',
      bizcontent: p['content'] ?? '',
    };
    if (direct['appkey'] !== opts.appkey)
      return failure('isv.app-not-opened', '该应用未开通开放平台');
    if (p['jkysign'] !== jackyunSign(direct, opts.secret))
      return failure('isv.jkysign-check-failure', '签名错误');
    const result = dispatch(direct, req.at);
    const body = result.body as {
      code?: unknown;
      msg?: unknown;
      subCode?: unknown;
      result?: unknown;
    };
    const ok = String(body.code) === '200';
    return {
      ...result,
      body: {
        response: {
          flag: ok ? 'success' : 'failure',
          code: String(body.code ?? ''),
          message: body.msg ?? '',
          subCode: body.subCode ?? '',
          ...(body.result !== undefined ? { result: body.result } : {}),
        },
      },
    };
  }

  const server = await startSourceServer(base, opts, admin, {
    name: 'jackyun',
    endpointOf: (req) => paramsOf(req)['method'] ?? req.path,
    platformError: (kind) =>
      kind === 'not_found'
        ? fail(JACKYUN_SUBCODES.notFound, '请求路径不存在', 'not_found', 404)
        : kind === 'too_large'
          ? fail(JACKYUN_SUBCODES.badParam, '请求体过大')
          : fail(
              JACKYUN_SUBCODES.unknown,
              '未知错误',
              kind === 'fault' ? 'fault' : 'rejected',
            ),
    handle: (req) => {
      if (req.path === JACKYUN_QIMEN_PATH) return qimen(req);
      if (req.path !== JACKYUN_GATEWAY_PATH)
        return fail(
          JACKYUN_SUBCODES.notFound,
          '请求路径不存在',
          'not_found',
          404,
        );
      if (req.method !== 'POST')
        return fail(JACKYUN_SUBCODES.notPost, '请使用POST方式调用');
      const params = paramsOf(req);
      for (const name of SYSTEM_PARAMS) {
        if (params[name] === undefined || params[name] === '')
          return fail(JACKYUN_SUBCODES.missingParam, `缺少必要参数${name}`);
      }
      if (params['appkey'] !== opts.appkey)
        return fail(
          JACKYUN_SUBCODES.appNotOpened,
          '该应用未开通开放平台，无法调用接口，请联系客户经理处理',
        );
      if (params['sign'] !== jackyunSign(params, opts.secret))
        return fail(JACKYUN_SUBCODES.badSign, '签名错误');
      return dispatch(params, req.at);
    },
  });
  return { ...server, admin: admin.api };
}
