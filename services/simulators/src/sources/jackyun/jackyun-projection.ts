import type { JackyunChannel, JackyunTrade } from './jackyun.model';

const pascal = (name: string): string =>
  name.charAt(0).toUpperCase() + name.slice(1);

/** The record's `names` (or all) fields, PascalCase as the order method answers. */
export function projectRecord(
  record: Readonly<Record<string, unknown>>,
  names: readonly string[] | 'all',
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record))
    if (names === 'all' || names.includes(k)) out[pascal(k)] = v;
  return out;
}

function packagesOf(trade: JackyunTrade): Record<string, unknown>[] {
  return Array.isArray(trade['packageDetail'])
    ? (trade['packageDetail'] as Record<string, unknown>[])
    : [];
}

/** Which fields of a trade, its goods lines and its packages a `fields` list asks for. */
export interface TradeFields {
  plain: readonly string[] | 'all';
  goods: readonly string[] | 'all' | null;
  packages: readonly string[] | 'all' | null;
}

export const ALL_TRADE_FIELDS: TradeFields = {
  plain: 'all',
  goods: 'all',
  packages: 'all',
};

/** Parses the order method's `fields` (`a,b,goodsDetail.c,packageDetail`…). */
export function tradeFieldsOf(text: string): TradeFields {
  const fields = text
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
  return {
    plain: top.filter(
      (f) => f !== 'goodsDetail' && f !== 'packageDetail' && f !== 'scrollId',
    ),
    goods: sub('goodsDetail'),
    packages: sub('packageDetail'),
  };
}

/** A trade as the order method returns it for `fields`. */
export function tradeRow(
  trade: JackyunTrade,
  fields: TradeFields,
): Record<string, unknown> {
  const row = projectRecord(trade, fields.plain);
  const { goods, packages } = fields;
  if (goods)
    row['GoodsDetail'] = trade.goodsDetail.map((l) => projectRecord(l, goods));
  if (packages)
    row['PackageDetail'] = packagesOf(trade).map((p) =>
      projectRecord(p, packages),
    );
  return row;
}

/** A channel as `erp.sales.get` returns it (gmtCreate/gmtModified only when configured). */
export function channelRow(
  channel: JackyunChannel,
  includeGmtModified: boolean,
): Partial<JackyunChannel> {
  if (includeGmtModified) return channel;
  const { gmtCreate: _c, gmtModified: _m, ...visible } = channel;
  return visible;
}
