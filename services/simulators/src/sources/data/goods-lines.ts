import type { Prng } from '../../common';
import { GOODS, type CatalogGoods } from './catalog.data';

/** Quantity and money (cents) of one generated order line. */
export interface LineAmounts {
  qty: number;
  priceCents: number;
  totalCents: number;
  /** The line's share of the order discount. */
  shareCents: number;
}

/** A gift line: one piece, no money. */
export const GIFT_LINE: LineAmounts = {
  qty: 1,
  priceCents: 0,
  totalCents: 0,
  shareCents: 0,
};

/** How a platform's generator draws a line: 1..`maxQty` pieces, a discount of `sharePct` % with `shareChance`. */
export interface LineRule {
  maxQty: number;
  shareChance: number;
  sharePct: readonly [number, number];
}

/**
 * Draws `count` catalog goods and visits each the first time it is drawn (a repeat is skipped, so an order has
 * at most `count` lines, each of distinct goods). The visitor draws the line's own values from the same `prng`.
 */
export function eachDistinctGoods(
  prng: Prng,
  count: number,
  visit: (goods: CatalogGoods) => void,
): void {
  const used = new Set<string>();
  for (let i = 0; i < count; i++) {
    const goods = prng.pick(GOODS);
    if (used.has(goods.goodsNo)) continue;
    used.add(goods.goodsNo);
    visit(goods);
  }
}

/** A priced line of `goods` at its catalog price, by `rule`. */
export function lineAmounts(
  prng: Prng,
  goods: CatalogGoods,
  rule: LineRule,
): LineAmounts {
  const qty = prng.int(1, rule.maxQty);
  const totalCents = goods.priceCents * qty;
  const shareCents = prng.chance(rule.shareChance)
    ? Math.round((totalCents * prng.int(...rule.sharePct)) / 100)
    : 0;
  return { qty, priceCents: goods.priceCents, totalCents, shareCents };
}
