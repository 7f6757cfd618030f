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
import { wdtStockoutSpec } from './wdt-data';
import {
  qimenSign,
  WDT_QIMEN_PATH,
  WDT_QIMEN_STOCKOUT_METHOD,
  WDT_STOCKOUT_HISTORY_PATH,
  WDT_STOCKOUT_PATH,
  wdtSign,
} from '@kingbridge/source-wdt/protocol';
import { wdtStockoutSchema, type WdtStockout } from './wdt.model';

/** Error codes. 2900 (parameters) and 1060 are documented; the others are our choice (reference §2.5: U). */
export const WDT_CODES = {
  ok: 0,
  busy: 1000,
  badSid: 1010,
  badAppkey: 1020,
  badTimestamp: 1030,
  badSign: 1040,
  throttled: 1070,
  notFound: 1090,
  badParam: 2900,
} as const;

/** WDT through the Qimen (奇门) router (reference §2.7). */
const QIMEN_SYSTEM_PARAMS = [
  'method',
  'app_key',
  'target_app_key',
  'sid',
  'format',
  'v',
  'sign_method',
  'timestamp',
  'sign',
] as const;

export const WDT_STATUSES = [5, 55, 95, 105, 110, 113] as const;

export const wdtOptionsSchema = sourceBaseOptionsSchema
  .extend({
    sid: z.string().default('demo_sid'),
    appkey: z.string().default('demo_key'),
    secret: z.string().default('demo_secret'),
    timestampSkewSeconds: z.number().int().min(0).default(300),
    maxPageSize: z.number().int().min(1).default(100),
    defaultPageSize: z.number().int().min(1).default(40),
    maxWindowDays: z.number().positive().default(30),
    rateLimit: z
      .object({
        perSecond: z
          .number()
          .int()
          .min(0)
          .default(5)
          .describe('0 = unlimited (U: our choice)'),
        perMinute: z.number().int().min(0).default(0),
      })
      .prefault({}),
    qimenAppKey: z.string().default('demo_qm_key'),
    qimenSecret: z.string().default('demo_qm_secret'),
    qimenTargetAppKey: z.string().default('demo_target_key'),
    qimenTimestampSkewSeconds: z.number().int().min(0).default(600),
    totalCountBeyondFirstPage: z
      .enum(['zero', 'absent'])
      .default('zero')
      .describe('total_count on page_no > 0'),
  })
  .strict();
export type WdtOptions = z.input<typeof wdtOptionsSchema>;

const SYSTEM_PARAMS = ['sid', 'appkey', 'timestamp', 'sign'] as const;
const DIGITS = /^\d+$/;

/**
 * Starts the WDT 企业版 (旺店通) openapi2 simulator: `POST /openapi2/stockout_order_query_trade.php`
 * (and the `his_` archive path), flat form params, length-prefixed MD5 sign.
 */
export async function startWdtSimulator(
  input: WdtOptions & RuntimeOptions<WdtStockout> = {},
): Promise<SourceSimulator> {
  const { clock: clockOpt, fixtures: fixturesOpt, ...rest } = input;
  const opts = wdtOptionsSchema.parse(rest);
  const base = sourcePlumbing(opts, clockOpt, wdtStockoutSchema, fixturesOpt);
  const { clock, faults, log } = base;
  const stockouts = primaryDataset<WdtStockout>(wdtStockoutSpec, opts, base);
  const rates = dataControl(stockouts, opts, clock);
  const limiter = new SlidingWindowLimiter([
    {
      limit: opts.rateLimit.perSecond,
      windowMs: 1000,
      code: WDT_CODES.throttled,
    },
    {
      limit: opts.rateLimit.perMinute,
      windowMs: 60_000,
      code: WDT_CODES.throttled,
    },
  ]);

  const fail = (
    code: number,
    message: string,
    outcome: SimResult['outcome'] = 'rejected',
    status = 200,
  ): SimResult => ({
    status,
    body: { code, message },
    outcome,
    code,
  });

  function params(req: SimRequest): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of req.query) out[k] = v;
    for (const [k, v] of req.form) out[k] = v;
    return out;
  }

  function query(p: Record<string, string>, now: number): SimResult {
    const pageNoText = p['page_no'] ?? '0';
    const pageSizeText = p['page_size'] ?? String(opts.defaultPageSize);
    if (!DIGITS.test(pageNoText))
      return fail(WDT_CODES.badParam, 'page_no必须是非负整数');
    if (!DIGITS.test(pageSizeText))
      return fail(WDT_CODES.badParam, 'page_size必须是正整数');
    const pageNo = Number(pageNoText);
    const pageSize = Number(pageSizeText);
    if (pageSize < 1 || pageSize > opts.maxPageSize)
      return fail(
        WDT_CODES.badParam,
        `page_size超出范围(1-${opts.maxPageSize})`,
      );

    const start = p['start_time'];
    const end = p['end_time'];
    const srcOrderNo = p['src_order_no'];
    const srcTid = p['src_tid'];
    const stockoutNo = p['stockout_no'];
    const hasNumber = [srcOrderNo, srcTid, stockoutNo].some(
      (v) => v !== undefined && v !== '',
    );
    let from: number | null = null;
    let to: number | null = null;
    if ((start ?? '') !== '' || (end ?? '') !== '') {
      if (!start || !end)
        return fail(
          WDT_CODES.badParam,
          '必传参数缺失: start_time和end_time必须同时传入',
        );
      from = parseBeijing(start);
      to = parseBeijing(end);
      if (from === null || to === null)
        return fail(
          WDT_CODES.badParam,
          '时间格式错误，应为yyyy-MM-dd HH:mm:ss',
        );
      if (to < from)
        return fail(WDT_CODES.badParam, 'end_time不能早于start_time');
      if (to - from > opts.maxWindowDays * 86_400_000)
        return fail(
          WDT_CODES.badParam,
          `时间跨度不能超过${opts.maxWindowDays}天`,
        );
    } else if (!hasNumber) {
      return fail(WDT_CODES.badParam, '时间范围与订单编号不能全部为空');
    }
    let statuses: number[] | undefined;
    if (p['status'] !== undefined && p['status'] !== '') {
      const parts = p['status'].split(',').map((s) => s.trim());
      if (
        parts.some(
          (s) =>
            !DIGITS.test(s) ||
            !(WDT_STATUSES as readonly number[]).includes(Number(s)),
        )
      ) {
        return fail(WDT_CODES.badParam, `status取值错误: ${p['status']}`);
      }
      statuses = parts.map(Number);
    }
    // Time meaning (reference §2.4): no status or status >= 95 -> consign time; status < 95 or is_by_modified=1 -> modified.
    const byModified =
      p['is_by_modified'] === '1' || (statuses?.some((s) => s < 95) ?? false);
    const timeField: 'modified' | 'consign_time' = byModified
      ? 'modified'
      : 'consign_time';
    const effectiveStatuses = statuses ?? [95, 105, 110, 113];

    stockouts.evolve(now);
    const timeOf = (s: WdtStockout): number | null =>
      stockouts.timeOf(s, timeField);
    const filtered = stockouts.current().filter((s) => {
      const t = timeOf(s);
      return (
        (from === null ||
          (t !== null && t >= from && to !== null && t <= to)) &&
        effectiveStatuses.includes(s.status) &&
        (!p['shop_no'] || s.shop_no === p['shop_no']) &&
        (!p['warehouse_no'] || s.warehouse_no === p['warehouse_no']) &&
        (!srcOrderNo || s.src_order_no === srcOrderNo) &&
        (!srcTid || String(s['src_tids']).split(',').includes(srcTid)) &&
        (!stockoutNo || s.order_no === stockoutNo)
      );
    });
    const matched = sortByKey(
      filtered,
      (s) => timeOf(s) ?? 0,
      (a, b) => a.stockout_id - b.stockout_id,
    );
    const list = withDuplicates(
      matched,
      faults.current.duplicateRate,
      faults.current.seed,
      (s) => String(s.stockout_id),
      pageSize,
    );
    const page = list.slice(pageNo * pageSize, (pageNo + 1) * pageSize);
    if (rates.drift() > 0) stockouts.drift(matched, rates.drift(), now);
    const body: Record<string, unknown> = { code: 0, message: '' };
    if (pageNo === 0) body['total_count'] = list.length;
    else if (opts.totalCountBeyondFirstPage === 'zero') body['total_count'] = 0;
    const corrupt = corruptPage(page, faults, WDT_STOCKOUT_PATH, [
      'stockout_id',
      'modified',
      'details_list',
    ]);
    body['stockout_list'] = corrupt.rows;
    return {
      status: 200,
      body,
      outcome: 'ok',
      code: 0,
      ...(corrupt.corrupted ? { fault: 'corrupt-record' as const } : {}),
      ...queryCost(opts.queryCostMsPerThousand, matched.length),
    };
  }

  const qimenFail = (
    code: string,
    message: string,
    outcome: SimResult['outcome'] = 'rejected',
  ): SimResult => ({
    status: 200,
    body: { response: { flag: 'failure', code, message } },
    outcome,
    code,
  });

  /** The Qimen variant: TOP sign, `yyyy-MM-dd HH:mm:ss` timestamp, answers wrapped in `response` with `errorcode`. */
  function qimen(req: SimRequest): SimResult {
    const p = params(req);
    for (const name of QIMEN_SYSTEM_PARAMS)
      if (!p[name]) return qimenFail('missing-parameter', `缺少参数${name}`);
    if (p['app_key'] !== opts.qimenAppKey)
      return qimenFail('invalid-app-key', 'Invalid app key');
    if (p['sign_method'] !== 'md5')
      return qimenFail('invalid-sign-method', 'Invalid sign method');
    if (p['sign'] !== qimenSign(p, opts.qimenSecret))
      return qimenFail('sign-check-failure', 'Illegal request');
    const ts = parseBeijing(p['timestamp'] ?? '');
    if (
      ts === null ||
      Math.abs(ts - req.at) > opts.qimenTimestampSkewSeconds * 1000
    )
      return qimenFail('invalid-timestamp', 'Invalid timestamp');
    if (p['method'] !== WDT_QIMEN_STOCKOUT_METHOD)
      return qimenFail('invalid-method', `Invalid method ${p['method']}`);
    if (p['target_app_key'] !== opts.qimenTargetAppKey || p['sid'] !== opts.sid)
      return qimenFail('isv.invalid-target', '卖家账号或目标应用不存在');
    if (limiter.tryAcquire(req.at) !== null)
      return qimenFail('app-call-limited', 'App Call Limited', 'throttled');
    const business: Record<string, string> = {};
    for (const [k, v] of Object.entries(p))
      if (!(QIMEN_SYSTEM_PARAMS as readonly string[]).includes(k))
        business[k] = v;
    const result = query(business, req.at);
    const {
      code,
      message: msg,
      ...rest
    } = result.body as Record<string, unknown>;
    const response =
      code === 0
        ? { errorcode: 0, ...rest }
        : { errorcode: code, message: msg };
    return { ...result, body: { response } };
  }

  const admin = createSourceAdmin({
    datasets: [adminDataset('stockouts', stockouts, wdtStockoutSchema)],
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
    name: 'wdt',
    endpointOf: (req) =>
      req.path === WDT_QIMEN_PATH
        ? (params(req)['method'] ?? req.path)
        : req.path,
    platformError: (kind, req) =>
      req.path === WDT_QIMEN_PATH && kind !== 'not_found'
        ? qimenFail(
            'isp.service-unavailable',
            '服务暂不可用',
            kind === 'fault' ? 'fault' : 'rejected',
          )
        : kind === 'not_found'
          ? fail(WDT_CODES.notFound, '接口不存在', 'not_found', 404)
          : kind === 'too_large'
            ? fail(WDT_CODES.badParam, '请求数据过大')
            : fail(
                WDT_CODES.busy,
                '系统繁忙，请稍后再试',
                kind === 'fault' ? 'fault' : 'rejected',
              ),
    handle: (req) => {
      if (req.path === WDT_QIMEN_PATH) return qimen(req);
      if (
        req.path !== WDT_STOCKOUT_PATH &&
        req.path !== WDT_STOCKOUT_HISTORY_PATH
      ) {
        return fail(WDT_CODES.notFound, '接口不存在', 'not_found', 404);
      }
      if (req.method !== 'POST')
        return fail(WDT_CODES.badParam, '请使用POST方式提交');
      const p = params(req);
      for (const name of SYSTEM_PARAMS)
        if (!p[name]) return fail(WDT_CODES.badParam, `必传参数缺失: ${name}`);
      if (p['sid'] !== opts.sid)
        return fail(WDT_CODES.badSid, '卖家账号不存在');
      if (p['appkey'] !== opts.appkey)
        return fail(WDT_CODES.badAppkey, '接口账号不存在');
      if (p['sign'] !== wdtSign(p, opts.secret))
        return fail(WDT_CODES.badSign, '签名错误');
      const ts = p['timestamp'] ?? '';
      if (
        !/^\d{10}$/.test(ts) ||
        Math.abs(Number(ts) * 1000 - req.at) > opts.timestampSkewSeconds * 1000
      ) {
        return fail(
          WDT_CODES.badTimestamp,
          `时间戳超出允许范围(±${opts.timestampSkewSeconds}秒)`,
        );
      }
      if (limiter.tryAcquire(req.at) !== null)
        return fail(
          WDT_CODES.throttled,
          '调用频率超过限制，请稍后再试',
          'throttled',
        );
      return query(p, req.at);
    },
  });
  return { ...server, admin: admin.api };
}
