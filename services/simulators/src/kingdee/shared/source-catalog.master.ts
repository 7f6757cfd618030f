import { GIFTS, GOODS, WAREHOUSES } from '../../sources/data/catalog.data';
import { XIAOMAN_EXCHANGE_RATES } from '../../sources/xiaoman/xiaoman.model';

// Master data derived from the source simulators' catalog, so records they generate resolve in the
// Kingdee simulators by default (goods numbers as material numbers, warehouse codes as stock numbers).

export interface CatalogMaterial {
  readonly number: string;
  readonly name: string;
  readonly unit: string;
}

export const CATALOG_MATERIALS: readonly CatalogMaterial[] = [
  ...GOODS,
  ...GIFTS,
].map((g) => ({
  number: g.goodsNo,
  name: `${g.goodsName} ${g.specName}`,
  unit: g.unit,
}));

export const CATALOG_UNITS: readonly string[] = [
  ...new Set(CATALOG_MATERIALS.map((m) => m.unit)),
];

export const CATALOG_STOCKS: readonly { number: string; name: string }[] =
  WAREHOUSES.map((w) => ({
    number: w.code,
    name: w.name,
  }));

/** Xiaoman CRM companies appear in K/3 WISE as customers numbered by their serial id (`C<company_id>`). */
export const CATALOG_CRM_CUSTOMERS: readonly {
  number: string;
  name: string;
}[] = [
  { number: 'C31470001', name: 'Global Trading LLC' },
  { number: 'C31470002', name: 'Nordic Home AB' },
  { number: 'C31470003', name: 'Berlin Tea GmbH' },
  { number: 'C31470004', name: 'London Gifts Ltd' },
  { number: 'C31470005', name: '深圳市海纳贸易有限公司' },
];

const CURRENCY_NAMES: Readonly<Record<string, string>> = {
  USD: '美元',
  EUR: '欧元',
  GBP: '英镑',
  CNY: '人民币(CNY)',
};

/** The currencies Xiaoman orders are in, as K/3 WISE currencies numbered by their code (the order's `currency`). */
export const CATALOG_CRM_CURRENCIES: readonly {
  number: string;
  name: string;
}[] = Object.keys(XIAOMAN_EXCHANGE_RATES).map((code) => ({
  number: code,
  name: CURRENCY_NAMES[code] ?? code,
}));
