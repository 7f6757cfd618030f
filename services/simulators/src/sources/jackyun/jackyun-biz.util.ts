import { z } from 'zod';
import type { SimResult } from '../../common';
import { JACKYUN_SUBCODES, type JackyunContext } from './jackyun.options';

/** A text filter that may come as a number. */
export const optionalText = z
  .union([z.string(), z.number().transform(String)])
  .optional();

/** A comma-separated list, or undefined when absent or blank. */
export const csv = (v: string | undefined): string[] | undefined =>
  v === undefined || v.trim() === ''
    ? undefined
    : v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);

/** `pageSize` (default 50, at most `maxPageSize`) and `pageIndex` (from 0) of a query, or the refusal. */
export function pageSizeOf(
  ctx: JackyunContext,
  biz: { pageSize?: number | undefined; pageIndex?: number | undefined },
): { pageSize: number; pageIndex: number } | SimResult {
  const { fail } = ctx.reply;
  const { maxPageSize } = ctx.state.opts;
  const pageSize = biz.pageSize ?? 50;
  if (pageSize > maxPageSize)
    return fail(
      JACKYUN_SUBCODES.pageSizeTooLarge,
      `pageSize不能大于${maxPageSize}`,
    );
  if (pageSize < 1) return fail(JACKYUN_SUBCODES.badParam, 'pageSize必须大于0');
  const pageIndex = biz.pageIndex ?? 0;
  if (pageIndex < 0)
    return fail(JACKYUN_SUBCODES.badParam, 'pageIndex不能小于0');
  return { pageSize, pageIndex };
}
