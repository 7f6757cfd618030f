import { z } from 'zod';
import { parseBeijing, type SimResult } from '../../common';
import { pageOf } from '../common';
import { firstIssue, intLike } from '../source-kit';
import { JACKYUN_CHANNELS_METHOD } from '@kingbridge/source-jackyun/protocol';
import { csv, optionalText, pageSizeOf } from './jackyun-biz.util';
import { channelRow } from './jackyun-projection';
import { JACKYUN_SUBCODES, type JackyunContext } from './jackyun.options';

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

/** A `gmtModified*` bound, null when absent, or the refusal naming it. */
function bound(
  ctx: JackyunContext,
  name: 'gmtModifiedStart' | 'gmtModifiedEnd',
  text: string | undefined,
): number | null | SimResult {
  if (text === undefined) return null;
  return (
    parseBeijing(text) ??
    ctx.reply.fail(
      JACKYUN_SUBCODES.badParam,
      `时间格式错误，应为yyyy-MM-dd HH:mm:ss: ${name}`,
    )
  );
}

/** `erp.sales.get`: the sales channels (shops), filtered and paged by index. */
export function queryChannels(ctx: JackyunContext, bizRaw: unknown): SimResult {
  const { state, channels, reply } = ctx;
  const parsed = channelBizSchema.safeParse(bizRaw);
  if (!parsed.success)
    return reply.fail(
      JACKYUN_SUBCODES.badParam,
      `参数错误: ${firstIssue(parsed.error)}`,
    );
  const biz = parsed.data;
  const paging = pageSizeOf(ctx, biz);
  if ('status' in paging) return paging;
  const from = bound(ctx, 'gmtModifiedStart', biz.gmtModifiedStart);
  if (typeof from === 'object' && from !== null) return from;
  const to = bound(ctx, 'gmtModifiedEnd', biz.gmtModifiedEnd);
  if (typeof to === 'object' && to !== null) return to;
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
  const page = pageOf(state.faults, matched, {
    idOf: (c) => c.channelId.toString(),
    pageSize: paging.pageSize,
    offset: paging.pageIndex * paging.pageSize,
    endpoint: JACKYUN_CHANNELS_METHOD,
    corruptFields: ['channelId', 'channelCode', 'companyCode'],
    view: (c) => channelRow(c, state.opts.includeChannelGmtModified),
    queryCostMsPerThousand: state.opts.queryCostMsPerThousand,
  });
  return {
    ...reply.ok({ data: { salesChannelInfo: page.rows } }),
    ...page.result,
  };
}
