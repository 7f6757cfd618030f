import {
  formatBeijing,
  formatBeijingDate,
  parseBeijing,
  type Prng,
} from '../../common';
import { personName } from '../data/catalog.data';
import { eachDistinctGoods } from '../data/goods-lines';
import type { RecordsSpec } from '../source-dataset';
import {
  XIAOMAN_EXCHANGE_RATES,
  XIAOMAN_ORDER_STATUSES,
  type XiaomanOrder,
  type XiaomanProductLine,
} from './xiaoman.model';
import { xiaomanOrderSchema } from './xiaoman.model';

const MIN = 60_000;
/** The free sample line some orders carry (also a material in the ERP). */
export const XIAOMAN_SAMPLE_PRODUCT = {
  number: 'YP-0001',
  name: '样品（免费）',
} as const;

const CUSTOMERS = [
  {
    id: 31470001,
    name: 'Global Trading LLC',
    country: 'US',
    contact: 'John Smith',
    email: 'john@globaltrading.example',
  },
  {
    id: 31470002,
    name: 'Nordic Home AB',
    country: 'SE',
    contact: 'Anna Berg',
    email: 'anna@nordichome.example',
  },
  {
    id: 31470003,
    name: 'Berlin Tea GmbH',
    country: 'DE',
    contact: 'Max Weber',
    email: 'max@berlintea.example',
  },
  {
    id: 31470004,
    name: 'London Gifts Ltd',
    country: 'GB',
    contact: 'Emma Brown',
    email: 'emma@londongifts.example',
  },
  {
    id: 31470005,
    name: '深圳市海纳贸易有限公司',
    country: 'CN',
    contact: '陈海',
    email: 'chen@haina.example',
  },
] as const;
const CURRENCY_BY_COUNTRY: Readonly<Record<string, string>> = {
  US: 'USD',
  SE: 'EUR',
  DE: 'EUR',
  GB: 'GBP',
  CN: 'CNY',
};
const USERS = [
  { user_id: 55001, nickname: '销售-王芳' },
  { user_id: 55002, nickname: '销售-李强' },
  { user_id: 55003, nickname: '外贸-Lucy' },
] as const;
const DEPARTMENTS = [
  { department_id: 0, name: '我的企业' },
  { department_id: 7001, name: '外贸一部' },
  { department_id: 7002, name: '外贸二部' },
] as const;

const round2 = (n: number): number => Math.round(n * 100) / 100;

export const xiaomanOrderSpec: RecordsSpec<XiaomanOrder> = {
  schema: xiaomanOrderSchema,
  idOf: (o) => String(o.order_id),
  times: (o) => ({
    update_time: parseBeijing(o.update_time, true),
    create_time: parseBeijing(o.create_time, true),
    account_date: parseBeijing(o.account_date, true),
    delete_time:
      o.delete_time === '' ? null : parseBeijing(o.delete_time, true),
  }),
  generate(prng: Prng, seq: number, at: number): XiaomanOrder {
    const orderId = 3147480000 + seq * 7;
    const customer = prng.pick(CUSTOMERS);
    const currency = CURRENCY_BY_COUNTRY[customer.country] ?? 'USD';
    const rate = XIAOMAN_EXCHANGE_RATES[currency] ?? { cny: 1, usd: 1 };
    const lines: XiaomanProductLine[] = [];
    const n = prng.int(1, 5);
    eachDistinctGoods(prng, n, (g) => {
      const count = prng.int(1, 50) * 10;
      const unitPrice = round2((g.priceCents / 100 / rate.cny) * 0.6);
      lines.push(
        line(
          orderId,
          lines.length,
          g.goodsNo,
          g.goodsName,
          g.specName,
          g.unit,
          count,
          unitPrice,
        ),
      );
    });
    if (prng.chance(0.25))
      lines.push(
        line(
          orderId,
          lines.length,
          XIAOMAN_SAMPLE_PRODUCT.number,
          XIAOMAN_SAMPLE_PRODUCT.name,
          '样品',
          '件',
          prng.int(1, 5),
          0,
        ),
      );
    const productTotal = round2(
      lines.reduce((s, l) => s + l.count * l.unit_price, 0),
    );
    const addition = prng.chance(0.3) ? round2(prng.int(50, 400)) : 0;
    const amount = round2(productTotal + addition);
    const created = at - prng.int(30, 4000) * MIN;
    const user = prng.pick(USERS);
    const dept = prng.pick(DEPARTMENTS);
    const status = prng.pick(XIAOMAN_ORDER_STATUSES);
    const removed = prng.chance(0.03);
    return {
      order_id: orderId,
      order_no: `SO${formatBeijingDate(created).replace(/-/g, '')}${String(seq).padStart(4, '0')}`,
      account_date: formatBeijingDate(created),
      name: `${customer.name} 采购订单`,
      currency,
      // OKKI quotes the rate as CNY per 100 units of the order currency (seed 004: 712.5 -> /100 = 7.125).
      exchange_rate: Math.round(rate.cny * 100 * 10_000) / 10_000,
      exchange_rate_usd: rate.usd,
      amount,
      amount_rmb: round2(amount * rate.cny),
      amount_usd: round2(amount * rate.usd),
      addition_cost_amount: addition,
      product_total_amount: productTotal,
      product_total_count: lines.reduce((s, l) => s + l.count, 0),
      price_contract: prng.pick(['FOB', 'CIF', 'EXW']),
      receive_remittance_way: prng.pick(['T/T', 'L/C', 'PayPal']),
      price_contract_remark: '',
      receive_remittance_remark: '',
      insurance_remark: '',
      order_contract: '',
      company_name: customer.name,
      company_phone: '',
      company_fax: '',
      company_address: '',
      country: customer.country,
      opportunity_id: 0,
      shipment_deadline_remark: '',
      users: [{ user_id: user.user_id, rate: 100 }],
      users_info: [
        { user_id: user.user_id, rate: 100, nickname: user.nickname },
      ],
      departments_info: [
        { department_id: dept.department_id, rate: 100, name: dept.name },
      ],
      handler_info: [{ user_id: user.user_id, nickname: user.nickname }],
      company: {
        company_id: customer.id,
        name: customer.name,
        serial_id: `C${customer.id}`,
      },
      customer_name: customer.contact,
      customer_phone: '',
      customer_email: customer.email,
      customer_address: '',
      transport_mode: prng.pick(['海运', '空运', '快递']),
      shipment_deadline: formatBeijingDate(created + 30 * 86_400_000),
      shipment_port: prng.pick(['宁波', '上海', '深圳']),
      target_port: '',
      more_or_less: '',
      package_remark: '',
      marked: '',
      stock_up_status: { title: '未备货', link_status: 0 },
      shipping_status: { title: '未出运', link_status: 0 },
      end_status: { title: '未结束', link_status: 0 },
      status: status.code,
      create_user: user.user_id,
      create_time: formatBeijing(created),
      update_user: user.user_id,
      update_time: formatBeijing(at),
      delete_time: removed ? formatBeijing(at) : '',
      archive_type: 1,
      remark: prng.chance(0.3) ? `联系人：${personName(prng.pick)}` : '',
      source_type: 1,
      ali_status_info: {
        status_name: '',
        ali_status_name: '',
        ali_status_id: 0,
      },
      product_list: lines,
    };
  },
  modify(prng, order, at) {
    const next = structuredClone(order);
    next.update_time = formatBeijing(at);
    const u = prng.next();
    if (u < 0.3) return next; // automation bumps update_time without a visible change (doc warning)
    if (u < 0.33 && next.delete_time === '') {
      next.delete_time = formatBeijing(at);
      return next;
    }
    const idx = XIAOMAN_ORDER_STATUSES.findIndex(
      (s) => s.code === order.status,
    );
    const following = XIAOMAN_ORDER_STATUSES[idx + 1];
    if (following) next.status = following.code;
    else next['remark'] = `更新于${formatBeijing(at)}`;
    return next;
  },
};

function line(
  orderId: number,
  index: number,
  no: string,
  name: string,
  model: string,
  unit: string,
  count: number,
  unitPrice: number,
): XiaomanProductLine {
  return {
    unique_id: orderId * 100 + index + 1,
    product_id: 8800000 + Number(no.replace(/\D/g, '') || '0'),
    product_no: no,
    product_name: name,
    product_model: model,
    sku_id: 0,
    count,
    unit: unit,
    unit_price: unitPrice,
    cost_amount: round2(count * unitPrice),
    product_remark: '',
  };
}
