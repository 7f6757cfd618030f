import type { SimRequest, SimResult } from '../../common';
import {
  matchRecords,
  missingParam,
  pageOf,
  parseWindow,
  type WindowMessages,
  requestParams,
  unixSecondsWithin,
  type ParamsHandler,
} from '../common';
import { WDT_STOCKOUT_PATH, wdtSign } from '@kingbridge/source-wdt/protocol';
import { wdtFail as fail } from './wdt-envelope';
import { WDT_CODES, WDT_STATUSES, type WdtState } from './wdt.options';
import type { WdtStockout } from './wdt.model';

const SYSTEM_PARAMS = ['sid', 'appkey', 'timestamp', 'sign'] as const;
const DIGITS = /^\d+$/;

const WINDOW_ERRORS: WindowMessages = {
  format: '时间格式错误，应为yyyy-MM-dd HH:mm:ss',
  order: 'end_time不能早于start_time',
  span: (days: number) => `时间跨度不能超过${days}天`,
};

/** `POST /openapi2/stockout_order_query_trade.php` (and `his_`): system parameters, sign, timestamp, rate limit. */
export function openapiCall(state: WdtState, req: SimRequest): SimResult {
  const { opts } = state;
  if (req.method !== 'POST')
    return fail(WDT_CODES.badParam, '请使用POST方式提交');
  const p = requestParams(req, true);
  const missing = missingParam(p, SYSTEM_PARAMS);
  if (missing !== undefined)
    return fail(WDT_CODES.badParam, `必传参数缺失: ${missing}`);
  if (p['sid'] !== opts.sid) return fail(WDT_CODES.badSid, '卖家账号不存在');
  if (p['appkey'] !== opts.appkey)
    return fail(WDT_CODES.badAppkey, '接口账号不存在');
  if (p['sign'] !== wdtSign(p, opts.secret))
    return fail(WDT_CODES.badSign, '签名错误');
  if (
    !unixSecondsWithin(p['timestamp'] ?? '', req.at, opts.timestampSkewSeconds)
  )
    return fail(
      WDT_CODES.badTimestamp,
      `时间戳超出允许范围(±${opts.timestampSkewSeconds}秒)`,
    );
  if (state.limiter.tryAcquire(req.at) !== null)
    return fail(
      WDT_CODES.throttled,
      '调用频率超过限制，请稍后再试',
      'throttled',
    );
  return stockoutQuery(state, p, req.at);
}

/** The stock-out query itself (business parameters), shared by openapi2 and the Qimen router. */
export const stockoutQuery: ParamsHandler<WdtState> = (state, p, now) => {
  const { opts, dataset: stockouts } = state;
  const pageNoText = p['page_no'] ?? '0';
  const pageSizeText = p['page_size'] ?? String(opts.defaultPageSize);
  if (!DIGITS.test(pageNoText))
    return fail(WDT_CODES.badParam, 'page_no必须是非负整数');
  if (!DIGITS.test(pageSizeText))
    return fail(WDT_CODES.badParam, 'page_size必须是正整数');
  const pageNo = Number(pageNoText);
  const pageSize = Number(pageSizeText);
  if (pageSize < 1 || pageSize > opts.maxPageSize)
    return fail(WDT_CODES.badParam, `page_size超出范围(1-${opts.maxPageSize})`);

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
    const window = parseWindow(start, end, opts.maxWindowDays, WINDOW_ERRORS);
    if ('error' in window) return fail(WDT_CODES.badParam, window.message);
    ({ from, to } = window);
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

  const timeOf = (s: WdtStockout): number | null =>
    stockouts.timeOf(s, timeField);
  const matched = matchRecords(
    stockouts,
    now,
    (s) => {
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
    },
    (s) => timeOf(s) ?? 0,
    (a, b) => a.stockout_id - b.stockout_id,
  );
  const page = pageOf(state.faults, matched, {
    idOf: (s) => String(s.stockout_id),
    pageSize,
    offset: pageNo * pageSize,
    endpoint: WDT_STOCKOUT_PATH,
    corruptFields: ['stockout_id', 'modified', 'details_list'],
    view: (s) => s,
    drift: { dataset: stockouts, perPage: state.rates.drift(), at: now },
    queryCostMsPerThousand: opts.queryCostMsPerThousand,
  });
  const body: Record<string, unknown> = { code: 0, message: '' };
  if (pageNo === 0) body['total_count'] = page.total;
  else if (opts.totalCountBeyondFirstPage === 'zero') body['total_count'] = 0;
  body['stockout_list'] = page.rows;
  return { status: 200, body, outcome: 'ok', code: 0, ...page.result };
};
