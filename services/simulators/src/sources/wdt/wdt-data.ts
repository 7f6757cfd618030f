import { formatBeijing, parseBeijing, type Prng } from '../../common';
import {
  centsToString,
  DISTRIBUTORS,
  GIFTS,
  LOGISTICS,
  MEMOS,
  NICKS,
  personName,
  SHOPS,
  WAREHOUSES,
  type CatalogGoods,
} from '../data/catalog.data';
import { eachDistinctGoods, GIFT_LINE, lineAmounts } from '../data/goods-lines';
import type { LineAmounts, LineRule } from '../data/goods-lines';
import type { RecordsSpec } from '../source-dataset';
import {
  WDT_NO_DATE,
  type WdtStockout,
  type WdtStockoutDetail,
} from './wdt.model';
import { wdtStockoutSchema } from './wdt.model';

const MIN = 60_000;
const money = (cents: number): string => centsToString(cents, 4);
const qty = (n: number): string => `${n}.0000`;

const LINE_RULE: LineRule = { maxQty: 6, shareChance: 0.3, sharePct: [3, 15] };

export const wdtStockoutSpec: RecordsSpec<WdtStockout> = {
  schema: wdtStockoutSchema,
  idOf: (s) => String(s.stockout_id),
  times: (s) => ({
    consign_time:
      s.consign_time === WDT_NO_DATE ? null : parseBeijing(s.consign_time),
    modified: parseBeijing(s.modified),
  }),
  generate(prng: Prng, seq: number, at: number): WdtStockout {
    const stockoutId = 880000 + seq;
    const shop = prng.pick(SHOPS);
    const wh = prng.pick(WAREHOUSES);
    const logistic = prng.pick(LOGISTICS);
    const u = prng.next();
    const status =
      u < 0.45
        ? 95
        : u < 0.75
          ? 110
          : u < 0.8
            ? 105
            : u < 0.83
              ? 113
              : u < 0.93
                ? 55
                : 5;
    const created = at - prng.int(60, 1440) * MIN;
    const tradeTime = created - prng.int(10, 600) * MIN;
    const shipped = status >= 95;
    // Shipped when it becomes visible (at most a minute before): a record first seen now must not carry a
    // consign time hours old, or a consign-time query would have had to return it before it existed.
    const consign = shipped
      ? Math.max(created, at - prng.int(0, 60) * 1000)
      : null;
    const srcTid = String(4100000000000 + seq * 31);
    const details: WdtStockoutDetail[] = [];
    const lines = prng.int(1, 4);
    eachDistinctGoods(prng, lines, (goods) => {
      details.push(
        detail(
          stockoutId,
          details.length,
          goods,
          lineAmounts(prng, goods, LINE_RULE),
          0,
          srcTid,
          at,
        ),
      );
    });
    if (prng.chance(0.35))
      details.push(
        detail(
          stockoutId,
          details.length,
          prng.pick(GIFTS),
          GIFT_LINE,
          prng.pick([1, 2]),
          srcTid,
          at,
        ),
      );
    const totalCents = details.reduce(
      (s, d) => s + Math.round(Number(d['total_amount']) * 100),
      0,
    );
    const shareCents = details.reduce(
      (s, d) => s + Math.round(Number(d['share_amount']) * 100),
      0,
    );
    const postCents = prng.chance(0.25) ? 800 : 0;
    const day = formatBeijing(created).slice(0, 10).replace(/-/g, '');
    const fenxiao = prng.chance(0.3) ? prng.pick(DISTRIBUTORS) : '';
    return {
      stockout_id: stockoutId,
      order_no: `CK${day}${String(seq).padStart(6, '0')}`,
      src_order_no: `JY${day}${String(seq).padStart(6, '0')}`,
      src_trade_no: `JY${day}${String(seq).padStart(6, '0')}`,
      trade_no: `JY${day}${String(seq).padStart(6, '0')}`,
      src_tids: srcTid,
      trade_id: 660000 + seq,
      status,
      trade_status: status === 5 ? 5 : status >= 95 ? 95 : 55,
      order_type: 1,
      order_type_name: '销售订单',
      trade_type: fenxiao ? 8 : prng.chance(0.9) ? 1 : 4,
      subtype: 0,
      consign_time: consign === null ? WDT_NO_DATE : formatBeijing(consign),
      trade_time: formatBeijing(tradeTime),
      pay_time: formatBeijing(tradeTime + 2 * MIN),
      created: formatBeijing(created),
      modified: formatBeijing(at),
      shop_no: shop.code,
      shop_name: shop.name,
      platform_id: (shop.id % 10) + 1,
      warehouse_no: wh.code,
      warehouse_name: wh.name,
      warehouse_id: wh.id,
      fenxiao_nick: fenxiao,
      nick_name: prng.pick(NICKS),
      customer_name: personName(prng.pick),
      customer_no: `KH${String(10000 + (seq % 500))}`,
      logistics_no: shipped
        ? `${logistic.prefix}${String(2000000000 + seq * 41)}`
        : '',
      logistics_name: logistic.name,
      logistics_code: logistic.code,
      goods_count: qty(details.reduce((s, d) => s + Number(d.goods_count), 0)),
      goods_total_amount: money(totalCents),
      discount: money(shareCents),
      post_amount: money(postCents),
      post_fee: money(postCents),
      receivable: money(totalCents - shareCents + postCents),
      paid: money(totalCents - shareCents + postCents),
      refund_status: 0,
      currency: 'CNY',
      tax: money(0),
      tax_rate: '0.0000',
      remark: prng.pick(MEMOS),
      cs_remark: '',
      buyer_message: prng.pick(MEMOS),
      weight: `${prng.int(1, 30) / 10}`,
      details_list: details,
    };
  },
  modify(prng, stockout, at) {
    const next = structuredClone(stockout);
    next.modified = formatBeijing(at);
    if (stockout.status === 55 && prng.chance(0.2)) {
      // Rejected and re-audited: WDT issues a new stock-out number (WDT-DOC 1.5②).
      const day = formatBeijing(at).slice(0, 10).replace(/-/g, '');
      next.order_no = `CK${day}${String(stockout.stockout_id % 1_000_000).padStart(6, '0')}${prng.int(1, 9)}`;
    } else if (stockout.status === 55) {
      next.status = 95;
      next['trade_status'] = 95;
      next.consign_time = formatBeijing(at);
      next['logistics_no'] = `SF${String(3000000000 + stockout.stockout_id)}`;
    } else if (stockout.status === 95 && prng.chance(0.15)) {
      // Cancelled after shipping (the order is called back): 5 已取消, consign time kept. A status=95 query by
      // consign time never returns it again; a status=5 query by modified time does.
      next.status = 5;
      next['trade_status'] = 5;
    } else if (stockout.status === 95 || stockout.status === 113) {
      next.status = 110;
    } else {
      next['remark'] = prng.pick(MEMOS.filter((m) => m !== stockout['remark']));
    }
    for (const d of next.details_list) d['modified'] = next.modified;
    return next;
  },
};

function detail(
  stockoutId: number,
  index: number,
  goods: CatalogGoods,
  { qty: n, priceCents, totalCents, shareCents }: LineAmounts,
  giftType: number,
  srcTid: string,
  at: number,
): WdtStockoutDetail {
  return {
    rec_id: stockoutId * 10 + index + 1,
    stockout_id: stockoutId,
    spec_no: `${goods.goodsNo}-01`,
    goods_no: goods.goodsNo,
    goods_name: goods.goodsName,
    spec_name: goods.specName,
    spec_code: '01',
    spec_id: Number(goods.barcode.slice(-5)),
    goods_id: Number(goods.barcode.slice(-4)),
    barcode: goods.barcode,
    goods_count: qty(n),
    sell_price: money(priceCents),
    market_price: money(giftType ? 1000 : Math.round(priceCents * 1.2)),
    cost_price: money(Math.round(priceCents * 0.55)),
    total_amount: money(totalCents),
    share_amount: money(totalCents - shareCents),
    discount: money(shareCents),
    paid: money(totalCents - shareCents),
    share_post: money(0),
    tax_rate: '0.0000',
    gift_type: giftType,
    goods_type: 1,
    suite_no: '',
    brand_name: goods.brandName,
    refund_status: 0,
    src_oid: `${srcTid}-${index + 1}`,
    src_tid: srcTid,
    modified: formatBeijing(at),
  };
}
