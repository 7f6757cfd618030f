import { GIFTS, GOODS, WAREHOUSES } from '../../sources/data/catalog.data';

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
