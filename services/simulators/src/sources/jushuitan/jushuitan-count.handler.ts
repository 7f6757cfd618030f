import { z } from 'zod';

import {
  matchRecords,
  pageOf,
  parseJsonParam,
  parseWindow,
  type WindowMessages,
  type ParamsHandler,
} from '../common';
import { firstIssue, intLike } from '../source-kit';
import { JUSHUITAN_INVENTORY_COUNT_PATH as JUSHUITAN_COUNT_PATH } from '@kingbridge/source-jushuitan/protocol';
import { checkCommon } from './jushuitan-auth';
import { jushuitanFail as fail, jushuitanOk as ok } from './jushuitan-envelope';
import {
  JUSHUITAN_COUNT_STATUSES,
  type JushuitanCount,
} from './jushuitan.model';
import { JUSHUITAN_CODES, type JushuitanState } from './jushuitan.options';

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

const WINDOW_ERRORS: WindowMessages = {
  format: '时间格式错误，应为yyyy-MM-dd HH:mm:ss',
  order: 'modified_end不能早于modified_begin',
  span: (days: number) => `修改时间跨度不能超过${days}天`,
};

/** `POST /open/inventory/count/query`: token, grant, version, rate limit, then the `biz` query. */
export const countQuery: ParamsHandler<JushuitanState> = (state, p, at) => {
  const { opts, dataset: counts } = state;
  const common = checkCommon(state, p, BIZ_REQUIRED, at);
  if (common) return common;
  if (p['access_token'] !== opts.accessToken)
    return fail(JUSHUITAN_CODES.badToken);
  if (opts.grantedApis && !opts.grantedApis.includes(JUSHUITAN_COUNT_PATH))
    return fail(JUSHUITAN_CODES.apiNotGranted);
  if (p['version'] !== '2')
    return fail(JUSHUITAN_CODES.badParam, 'version必须为2');
  const throttled = state.limiter.tryAcquire(at);
  if (throttled !== null) return fail(throttled, undefined, 'throttled');
  const raw = parseJsonParam(p['biz'] ?? '');
  if (!raw) return fail(JUSHUITAN_CODES.badParam, 'biz不是合法的JSON');
  const parsed = bizSchema.safeParse(raw.value);
  if (!parsed.success)
    return fail(
      JUSHUITAN_CODES.badParam,
      `参数错误: ${firstIssue(parsed.error)}`,
    );
  const biz = parsed.data;
  const pageIndex = biz.page_index ?? 1;
  const pageSize = biz.page_size ?? opts.defaultPageSize;
  if (pageIndex < 1) return fail(JUSHUITAN_CODES.badParam, 'page_index从1开始');
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
    const window = parseWindow(
      biz.modified_begin,
      biz.modified_end,
      opts.maxWindowDays,
      WINDOW_ERRORS,
    );
    if ('error' in window)
      return fail(JUSHUITAN_CODES.badParam, window.message);
    ({ from, to } = window);
  } else if (!ioIds) {
    return fail(JUSHUITAN_CODES.badParam, '修改时间和单号不能同时为空');
  }

  const modifiedOf = (c: JushuitanCount): number =>
    counts.timeOf(c, 'modified') ?? 0;
  const matched = matchRecords(
    counts,
    at,
    (c) =>
      (from === null ||
        (modifiedOf(c) >= from && to !== null && modifiedOf(c) <= to)) &&
      (!ioIds || ioIds.includes(String(c.io_id))) &&
      (biz.status === undefined || c.status === biz.status),
    modifiedOf,
    (a, b) => a.io_id - b.io_id,
  );
  const page = pageOf(state.faults, matched, {
    idOf: (c) => String(c.io_id),
    pageSize,
    offset: (pageIndex - 1) * pageSize,
    endpoint: JUSHUITAN_COUNT_PATH,
    corruptFields: ['io_id', 'modified', 'items'],
    view: (c) => c,
    drift: { dataset: counts, perPage: state.rates.drift(), at },
    queryCostMsPerThousand: opts.queryCostMsPerThousand,
  });
  const pageCount = Math.ceil(page.total / pageSize);
  return {
    ...page.result,
    ...ok({
      page_size: pageSize,
      page_index: pageIndex,
      data_count: page.total,
      page_count: pageCount,
      has_next: pageIndex < pageCount,
      datas: page.rows,
    }),
  };
};
