import { formatBeijing, parseBeijing, type Prng } from '../../common';
import {
  centsToNumber,
  DEPARTMENTS,
  GIFTS,
  LOGISTICS,
  MEMOS,
  NICKS,
  SHOPS,
  WAREHOUSES,
  type CatalogGoods,
} from '../data/catalog.data';
import { eachDistinctGoods, GIFT_LINE, lineAmounts } from '../data/goods-lines';
import type { LineAmounts, LineRule } from '../data/goods-lines';
import type { DatasetSpec, RecordsSpec } from '../source-dataset';
import type {
  JackyunChannel,
  JackyunGoodsLine,
  JackyunTrade,
} from './jackyun.model';
import { jackyunTradeSchema } from './jackyun.model';

export const TRADE_STATUS_EXPLAIN: Readonly<Record<number, string>> = {
  1010: '待审核',
  4110: '待发货待递交',
  4112: '待发货已递交',
  5010: '已取消',
  6000: '发货在途',
  9090: '已完成',
};

const TRADE_ID_BASE = 1786543210000000000n;
const MIN = 60_000;

const LINE_RULE: LineRule = { maxQty: 5, shareChance: 0.4, sharePct: [5, 20] };

function goodsLines(prng: Prng, tradeId: bigint): JackyunGoodsLine[] {
  const lines: JackyunGoodsLine[] = [];
  eachDistinctGoods(prng, prng.int(1, 4), (goods) => {
    lines.push(
      line(
        tradeId,
        lines.length,
        goods,
        lineAmounts(prng, goods, LINE_RULE),
        0,
      ),
    );
  });
  if (prng.chance(0.3)) {
    const gift = prng.pick(GIFTS);
    lines.push(line(tradeId, lines.length, gift, GIFT_LINE, 1));
  }
  return lines;
}

function line(
  tradeId: bigint,
  index: number,
  goods: CatalogGoods,
  { qty, priceCents, totalCents, shareCents }: LineAmounts,
  isGift: number,
): JackyunGoodsLine {
  return {
    subTradeId: (tradeId * 10n + BigInt(index + 1)).toString(),
    goodsId: String(500000 + Number(goods.barcode.slice(-4))),
    goodsNo: goods.goodsNo,
    goodsName: goods.goodsName,
    specName: goods.specName,
    barcode: goods.barcode,
    sellCount: qty,
    sellPrice: centsToNumber(priceCents),
    sellTotal: centsToNumber(totalCents),
    cost: centsToNumber(Math.round(priceCents * 0.55)),
    discountFee: centsToNumber(shareCents),
    shareFavourableFee: centsToNumber(shareCents),
    shareFavourableAfterFee: centsToNumber(totalCents - shareCents),
    divideSellTotal: centsToNumber(totalCents - shareCents),
    taxFee: 0,
    cateName: goods.cateName,
    brandName: goods.brandName,
    unit: goods.unit,
    isGift,
    isFit: 0,
    goodsMemo: '',
    outerId: goods.goodsNo,
    platGoodsId: String(60000000000 + Number(goods.barcode.slice(-6))),
    platSkuId: String(50000000000 + Number(goods.barcode.slice(-6))),
    isPresell: 0,
  };
}

function cents(n: number): number {
  return Math.round(n * 100);
}

const parseOrNull = (v: unknown): number | null =>
  typeof v === 'string' ? parseBeijing(v) : null;

export const jackyunTradeSpec: RecordsSpec<JackyunTrade> = {
  schema: jackyunTradeSchema,
  idOf: (t) => t.tradeId,
  times: (t) => ({
    consignTime: parseOrNull(t.consignTime),
    gmtModified: parseOrNull(t.gmtModified),
    gmtCreate: parseOrNull(t.gmtCreate),
    tradeTime: parseOrNull(t.tradeTime),
    auditTime: parseOrNull(t.auditTime),
  }),
  generate(prng, seq, at) {
    const tradeId = TRADE_ID_BASE + BigInt(seq) * 7919n;
    const shop = prng.pick(SHOPS);
    const wh = prng.pick(WAREHOUSES);
    const logistic = prng.pick(LOGISTICS);
    const detail = goodsLines(prng, tradeId);
    const totalCents = detail.reduce((s, l) => s + cents(l.sellTotal), 0);
    const shareCents = detail.reduce(
      (s, l) => s + cents(l.shareFavourableFee),
      0,
    );
    const postCents = prng.chance(0.2) ? 1000 : 0;
    const tradeTime = at - prng.int(120, 1800) * MIN;
    const payTime = tradeTime + prng.int(1, 10) * MIN;
    const created = payTime + prng.int(1, 5) * MIN;
    const audit = created + prng.int(5, 60) * MIN;
    const u = prng.next();
    const status =
      u < 0.45
        ? 6000
        : u < 0.75
          ? 9090
          : u < 0.85
            ? 4110
            : u < 0.93
              ? 1010
              : 5010;
    const shipped = status >= 6000;
    // Shipped when it becomes visible (at most a minute before): a record first seen now must not carry a
    // consign time hours old, or a consign-time query would have had to return it before it existed.
    const consign = shipped
      ? Math.max(audit, at - prng.int(0, 60) * 1000)
      : null;
    const day = formatBeijing(tradeTime).slice(0, 10).replace(/-/g, '');
    const tradeNo = `JY${day}${String(seq).padStart(6, '0')}`;
    return {
      tradeId: tradeId.toString(),
      tradeNo,
      tradeStatus: status,
      tradeStatusExplain: TRADE_STATUS_EXPLAIN[status] ?? '',
      tradeType: prng.chance(0.9) ? 1 : 9,
      shopId: String(shop.id),
      shopName: shop.name,
      shopcode: shop.code,
      warehouseId: String(wh.id),
      warehouseName: wh.name,
      warehouseCode: wh.code,
      consignTime: consign === null ? null : formatBeijing(consign),
      billDate: formatBeijing(created),
      tradeTime: formatBeijing(tradeTime),
      payTime: formatBeijing(payTime),
      auditTime: status === 1010 ? null : formatBeijing(audit),
      gmtCreate: formatBeijing(created),
      gmtModified: formatBeijing(at),
      sourceTradeNo: `${shop.code}${String(3900000000000 + seq * 13)}`,
      onlineTradeNo: String(3900000000000 + seq * 13),
      orderNo: '',
      checkTotal: centsToNumber(totalCents - shareCents + postCents),
      totalFee: centsToNumber(totalCents),
      payment: centsToNumber(totalCents - shareCents + postCents),
      postFee: centsToNumber(postCents),
      discountFee: centsToNumber(shareCents),
      otherFee: 0,
      isDelete: status === 5010 && seq % 4 === 0 ? 1 : 0,
      mainPostid: shipped
        ? `${logistic.prefix}${String(1000000000 + seq * 37)}`
        : '',
      logisticName: logistic.name,
      // 客户信息 (seed 000 requests it): the buyer of a retail trade, derived from seq (no extra draw).
      customerName: NICKS[seq % NICKS.length] ?? '',
      customerAccount: NICKS[seq % NICKS.length] ?? '',
      customerCode: `KH${String(10000 + (seq % 500))}`,
      companyName: '杭州山水茗电子商务有限公司',
      departName: prng.pick(DEPARTMENTS),
      sellerMemo: prng.pick(MEMOS),
      buyerMemo: prng.pick(MEMOS),
      flagNames: '',
      goodsDetail: detail,
      packageDetail: shipped
        ? [
            {
              logisticNo: `${logistic.prefix}${String(1000000000 + seq * 37)}`,
              logisticName: logistic.name,
              logisticCode: logistic.code,
              warehouseName: wh.name,
              sellCount: detail.reduce((s, l) => s + l.sellCount, 0),
              isGift: 0,
              isPlatGift: 0,
              barcode: '',
              tradeNo,
              sourceTradeNo: '',
              buyerMemo: '',
              sellerMemo: '',
            },
          ]
        : [],
    };
  },
  modify(prng, trade, at) {
    const next = structuredClone(trade);
    next.gmtModified = formatBeijing(Math.max(at, 0));
    switch (trade.tradeStatus) {
      case 1010:
        next.tradeStatus = prng.chance(0.1) ? 5010 : 4110;
        next.auditTime = formatBeijing(at);
        break;
      case 4110:
      case 4112:
        next.tradeStatus = 6000;
        next.consignTime = formatBeijing(at);
        break;
      case 6000:
        next.tradeStatus = 9090;
        break;
      default:
        next.sellerMemo = prng.pick(
          MEMOS.filter((m) => m !== trade.sellerMemo),
        );
    }
    next.tradeStatusExplain = TRADE_STATUS_EXPLAIN[next.tradeStatus] ?? '';
    return next;
  },
};

const COMPANIES = [
  { id: 1, code: 'DSGL', name: '杭州山水茗电子商务有限公司' },
  { id: 2, code: 'XSGS', name: '杭州山水茗销售有限公司' },
  { id: 3, code: 'MDGS', name: '山水茗门店管理有限公司' },
  { id: 4, code: 'FXGS', name: '山水茗分销有限公司' },
];
const PLATFORMS: Readonly<Record<string, string>> = {
  天猫: 'TMALL',
  京东: 'JD',
  抖音: 'DOUYIN',
  拼多多: 'PDD',
  小红书: 'XHS',
  快手: 'KUAISHOU',
};

export const CHANNEL_ID_BASE = 1790000000000000000n;

export const jackyunChannelSpec: DatasetSpec<JackyunChannel> = {
  idOf: (c) => c.channelId.toString(),
  times: (c) => ({ gmtModified: parseOrNull(c['gmtModified']) }),
  generate(prng, seq, at) {
    // The first channels are the catalog's shops, coded as the trades' shopcode: a trade's shop is a
    // sales channel, so seed 002 (customer number = channelCode) and seed 000 (customer = shopcode)
    // name the same customer. They are 电商 (DSGL) web shops, in use.
    const catalogShop = seq <= SHOPS.length;
    const drawn = seq % 3 === 0 ? prng.pick(COMPANIES) : COMPANIES[0]!;
    const company = catalogShop ? COMPANIES[0]! : drawn;
    const shop = SHOPS[(seq - 1) % SHOPS.length]!;
    const wh = prng.chance(0.15) ? null : prng.pick(WAREHOUSES);
    const online = catalogShop || seq % 5 !== 0;
    const name = online
      ? `${shop.name}${seq > SHOPS.length ? String(Math.ceil(seq / SHOPS.length)) + '号' : ''}`
      : `${prng.pick(['杭州', '上海', '成都', '广州'])}${prng.pick(['西湖', '徐汇', '春熙路', '天河'])}门店${seq}`;
    return {
      channelId: CHANNEL_ID_BASE + BigInt(seq) * 104729n,
      channelCode: catalogShop
        ? shop.code
        : online
          ? `${shop.code}-${String(seq).padStart(3, '0')}`
          : `MD${String(seq).padStart(4, '0')}`,
      channelName: name,
      channelType: online ? 1 : 2,
      onlinePlatTypeCode: online ? (PLATFORMS[shop.platform] ?? 'OTHER') : '',
      onlinePlatTypeName: online ? shop.platform : '',
      channelDepartId: String(200 + (seq % 3)),
      channelDepartName: DEPARTMENTS[seq % DEPARTMENTS.length]!,
      cateId: online ? '1' : '2',
      cateName: online ? '线上网店' : '线下门店',
      companyId: company.id,
      companyName: company.name,
      companyCode: company.code,
      departCode: `BM${String(seq % 3).padStart(2, '0')}`,
      warehouseCode: wh?.code ?? '',
      warehouseName: wh?.name ?? '无',
      linkMan: prng.pick(['王芳', '李强', '陈静', '赵磊']),
      linkTel: `1${prng.int(3, 9)}${String(prng.int(100000000, 999999999))}`,
      memo: '',
      platShopId: online ? String(60000000 + seq * 17) : '',
      platShopName: online ? name : '',
      responsibleUserName: prng.pick(['周杰', '吴敏', '孙丽']),
      isBlockup: prng.chance(0.1) && !catalogShop ? 1 : 0,
      isDelete: prng.chance(0.05) && !catalogShop ? 1 : 0,
      gmtCreate: formatBeijing(at),
      gmtModified: formatBeijing(at),
    };
  },
  modify(prng, channel, at) {
    return {
      ...channel,
      memo: prng.pick(['', '大促店铺', '重点维护', '新开店']),
      linkTel: `1${prng.int(3, 9)}${String(prng.int(100000000, 999999999))}`,
      gmtModified: formatBeijing(at),
    };
  },
};
