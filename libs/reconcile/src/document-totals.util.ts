/** Quantity and amount sums of a document. */
export interface Totals {
  readonly qty: number;
  readonly amount: number;
}

export const ZERO_TOTALS: Totals = Object.freeze({ qty: 0, amount: 0 });

const QTY_KEY = /qty$/i;
// Source-bill links (FEntity_Link_FBaseUnitQty) repeat the row's quantity: not counted.
const LINK_KEY = /_link_/i;
const AMOUNT_KEY = /amount$/i;

/** Whether a field's values count toward a document's quantity or amount sum (see `documentTotals`). */
export function countsTowardTotals(key: string): boolean {
  return !LINK_KEY.test(key) && (QTY_KEY.test(key) || AMOUNT_KEY.test(key));
}

/**
 * Sums every numeric leaf whose key ends in `qty` (FRealQty, FAuxQty, qty) or `amount`
 * (FAllAmount, amount) anywhere in the document, except source-bill link fields. The same function reads the expected
 * (outbound) document and the stored Kingdee body, so both sides are measured alike.
 */
export function documentTotals(body: unknown): Totals {
  let qty = 0;
  let amount = 0;
  const walk = (node: unknown, key: string | undefined): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item, undefined);
      return;
    }
    if (node !== null && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) walk(v, k);
      return;
    }
    if (key === undefined || LINK_KEY.test(key)) return;
    const n =
      typeof node === 'number'
        ? node
        : typeof node === 'string' && node.trim() !== ''
          ? Number(node)
          : NaN;
    if (!Number.isFinite(n)) return;
    if (QTY_KEY.test(key)) qty += n;
    else if (AMOUNT_KEY.test(key)) amount += n;
  };
  walk(body, undefined);
  return { qty: round(qty), amount: round(amount) };
}

export function addTotals(a: Totals, b: Totals): Totals {
  return { qty: round(a.qty + b.qty), amount: round(a.amount + b.amount) };
}

export function totalsEqual(a: Totals, b: Totals): boolean {
  return Math.abs(a.qty - b.qty) < 1e-6 && Math.abs(a.amount - b.amount) < 1e-6;
}

// Six decimals: Kingdee stores at most that precision; avoids float noise in sums.
function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
