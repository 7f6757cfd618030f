import { parseBeijing, type SimRequest, type SimResult } from '../../common';
import { matchRecords, pageOf } from '../common';
import { XIAOMAN_ORDER_LIST_PATH } from '@kingbridge/source-xiaoman/protocol';
import { xiaomanFail as fail, xiaomanOk } from './xiaoman-envelope';
import { XIAOMAN_ORDER_STATUSES, type XiaomanOrder } from './xiaoman.model';
import type { XiaomanState } from './xiaoman.options';

const DATE_OR_TIME = /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$/;
const TIME_FIELDS = {
  '1': 'update_time',
  '2': 'create_time',
  '3': 'account_date',
  '4': 'delete_time',
} as const;

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

/** An order as the API shows it: without `delete_time`. */
export function visibleOrder(
  order: XiaomanOrder,
): Omit<XiaomanOrder, 'delete_time'> {
  const { delete_time: _d, ...visible } = order;
  return visible;
}

/** `GET /v1/invoices/order/list`: one page of orders (no product_list) by a time field. */
export function orderList(state: XiaomanState, req: SimRequest): SimResult {
  const { opts, dataset: orders } = state;
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

  const timeOf = (o: XiaomanOrder): number | null => orders.timeOf(o, field);
  const matched = matchRecords(
    orders,
    req.at,
    (o) => {
      const t = timeOf(o);
      return (
        (removed ? o.delete_time !== '' : o.delete_time === '') &&
        (from === null || (t !== null && t >= from)) &&
        (to === null || (t !== null && t <= to)) &&
        // status 0 is the seed's "every status" (like removed=0, approval=0); real ids are large.
        (!statusText || statusText === '0' || String(o.status) === statusText)
      );
    },
    (o) => timeOf(o) ?? 0,
    (a, b) => a.order_id - b.order_id,
  );
  const page = pageOf(state.faults, matched, {
    idOf: (o) => String(o.order_id),
    pageSize: count,
    offset: (index - 1) * count,
    endpoint: XIAOMAN_ORDER_LIST_PATH,
    corruptFields: ['order_id', 'update_time'],
    view: ({ product_list: _p, delete_time: _d, ...visible }) => visible,
    drift: { dataset: orders, perPage: state.rates.drift(), at: req.at },
    queryCostMsPerThousand: opts.queryCostMsPerThousand,
  });
  return {
    ...xiaomanOk(state.clock, { count: page.total, list: page.rows }),
    ...page.result,
  };
}

/** `GET /v1/invoices/order/info`: one order with its product_list. */
export function orderInfo(state: XiaomanState, req: SimRequest): SimResult {
  const id = req.query.get('order_id');
  if (!id || !/^\d+$/.test(id)) return fail(400, 'order_id参数错误');
  state.dataset.evolve(req.at);
  const order = state.dataset.store.get(id);
  if (!order || order.delete_time !== '')
    return fail(404, '订单不存在或已删除');
  return xiaomanOk(state.clock, visibleOrder(order));
}

/** `GET /v1/invoices/order/orderEnums`: the order statuses. */
export function orderEnums(state: XiaomanState): SimResult {
  return xiaomanOk(state.clock, {
    order_status_list: XIAOMAN_ORDER_STATUSES.map((s) => ({
      code: s.code,
      name: s.name,
    })),
  });
}
