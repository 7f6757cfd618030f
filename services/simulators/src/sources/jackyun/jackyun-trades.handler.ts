import { z } from 'zod';
import { stringifyWithBigInt, type SimResult } from '../../common';
import { matchRecords, pageOf, parseWindow } from '../common';
import {
  decodeCursor,
  encodeCursor,
  firstIssue,
  intLike,
  queryKeyOf,
} from '../source-kit';
import { JACKYUN_TRADES_METHOD } from '@kingbridge/source-jackyun/protocol';
import { csv, optionalText, pageSizeOf } from './jackyun-biz.util';
import { tradeFieldsOf, tradeRow } from './jackyun-projection';
import type { JackyunTrade } from './jackyun.model';
import { JACKYUN_SUBCODES, type JackyunContext } from './jackyun.options';

/** Time filter pairs of the order method -> stored field. */
const TIME_PAIRS = [
  ['startConsignTime', 'endConsignTime', 'consignTime'],
  ['startModified', 'endModified', 'gmtModified'],
  ['startCreated', 'endCreated', 'gmtCreate'],
  ['startTradeTime', 'endTradeTime', 'tradeTime'],
  ['startAuditTime', 'endAuditTime', 'auditTime'],
] as const;
type TimeField = (typeof TIME_PAIRS)[number][2];

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

/** Compares non-negative decimal strings numerically without BigInt. */
const compareDigits = (a: string, b: string): number =>
  a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

/** `jackyun.tradenotsensitiveinfos.list.get`: trades by time windows or numbers, paged by index or scrollId. */
export function queryTrades(
  ctx: JackyunContext,
  bizRaw: unknown,
  now: number,
): SimResult {
  const { state, reply } = ctx;
  const { opts, dataset: trades } = state;
  const fail = reply.fail;
  const parsed = tradeBizSchema.safeParse(bizRaw);
  if (!parsed.success)
    return fail(
      JACKYUN_SUBCODES.badParam,
      `参数错误: ${firstIssue(parsed.error)}`,
    );
  const biz = parsed.data as z.infer<typeof tradeBizSchema> &
    Record<string, string | undefined>;
  const paging = pageSizeOf(ctx, biz);
  if ('status' in paging) return paging;
  const { pageSize, pageIndex } = paging;
  if (!biz.fields || biz.fields.trim() === '')
    return fail(JACKYUN_SUBCODES.missingParam, '缺少必要参数fields');

  const ranges: { field: TimeField; from: number; to: number }[] = [];
  for (const [s, e, field] of TIME_PAIRS) {
    const start = biz[s];
    const end = biz[e];
    if (start === undefined && end === undefined) continue;
    if (start === undefined || end === undefined)
      return fail(JACKYUN_SUBCODES.badParam, `${s}和${e}必须同时传入`);
    const window = parseWindow(start, end, opts.maxWindowDays, {
      format: `时间格式错误，应为yyyy-MM-dd HH:mm:ss: ${s}/${e}`,
      order: `${e}不能早于${s}`,
      span: (days) => `起止时间不能超过${days}天`,
    });
    if ('error' in window)
      return fail(
        window.error === 'span'
          ? JACKYUN_SUBCODES.windowTooLong
          : JACKYUN_SUBCODES.badParam,
        window.message,
      );
    ranges.push({ field, ...window });
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

  const sortField = ranges[0]?.field;
  const timeOf = (t: JackyunTrade, f: TimeField): number | null =>
    trades.timeOf(t, f);
  const matched = matchRecords(
    trades,
    now,
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
    (t) => (sortField ? (timeOf(t, sortField) ?? 0) : 0),
    (a, b) => compareDigits(a.tradeId, b.tradeId),
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
  const fields = tradeFieldsOf(biz.fields);
  const page = pageOf(state.faults, matched, {
    idOf: (t) => t.tradeId,
    pageSize,
    offset,
    endpoint: JACKYUN_TRADES_METHOD,
    corruptFields: [
      'TradeId',
      'TradeNo',
      'GmtModified',
      'ConsignTime',
      'GoodsDetail',
    ],
    view: (t) => tradeRow(t, fields),
    drift: { dataset: trades, perPage: state.rates.drift(), at: now },
    queryCostMsPerThousand: opts.queryCostMsPerThousand,
  });

  let nextScrollId: string | undefined;
  if (cursorMode) {
    ctx.cursorPages++;
    const empty =
      opts.emptyScrollIdRate > 0 &&
      (ctx.cursorPages * 0.6180339887) % 1 < opts.emptyScrollIdRate;
    nextScrollId = empty
      ? ''
      : encodeCursor(queryKey, offset + page.rows.length, now);
  }
  const data: Record<string, unknown> = {};
  if (biz.hasTotal === 1) data['TotalResults'] = page.total;
  if (nextScrollId !== undefined && opts.scrollIdPlacement !== 'result')
    data['ScrollId'] = nextScrollId;
  data['Trades'] = page.rows;
  return {
    ...reply.ok({
      data: opts.dataAsJsonString ? stringifyWithBigInt(data) : data,
      ...(nextScrollId !== undefined && opts.scrollIdPlacement !== 'data'
        ? { scrollId: nextScrollId }
        : {}),
    }),
    ...page.result,
  };
}
