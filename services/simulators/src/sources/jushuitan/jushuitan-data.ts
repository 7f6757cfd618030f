import { formatBeijing, parseBeijing, type Prng } from '../../common';
import { GOODS, personName } from '../data/catalog.data';
import type { RecordsSpec } from '../source-dataset';
import type { JushuitanCount, JushuitanCountItem } from './jushuitan.model';
import { jushuitanCountSchema } from './jushuitan.model';

const MIN = 60_000;
const WAREHOUSES = [
  { wh_id: 1, warehouse: '主仓' },
  { wh_id: 2, warehouse: '销退仓' },
  { wh_id: 3, warehouse: '进货仓' },
  { wh_id: 4, warehouse: '次品仓' },
] as const;
export const JUSHUITAN_BRANCHES = [10086, 10087, 10088] as const;
export const JUSHUITAN_WAREHOUSE_IDS = [1, 2, 3, 4] as const;
/** Jushuitan SKU code of a catalog style (one SKU per style in the simulated shop). */
export const jushuitanSkuOf = (goodsNo: string): string => `${goodsNo}-01`;
const PACKAGING = [
  { sku: 'BC-ZX-03', iid: 'BC-ZX', name: '快递纸箱', props: '3号' },
  { sku: 'BC-ZX-05', iid: 'BC-ZX', name: '快递纸箱', props: '5号' },
  { sku: 'BC-QPM-01', iid: 'BC-QPM', name: '气泡膜', props: '50cm*100m' },
  { sku: 'BC-JD-01', iid: 'BC-JD', name: '封箱胶带', props: '4.5cm' },
] as const;
const GOODS_REMARKS = [
  '月度盘点',
  '季度全盘',
  '抽盘',
  '',
  '仓库复盘',
  '盘点差异调整',
];
const PACKAGING_REMARKS = ['包材盘点', '月末包材盘亏', '包材月度盘点'];

export const jushuitanCountSpec: RecordsSpec<JushuitanCount> = {
  schema: jushuitanCountSchema,
  idOf: (c) => String(c.io_id),
  times: (c) => ({ modified: parseBeijing(c.modified) }),
  generate(prng: Prng, seq: number, at: number): JushuitanCount {
    const ioId = 100000 + seq;
    const wh = prng.pick(WAREHOUSES);
    const packaging = prng.chance(0.25);
    const items: JushuitanCountItem[] = [];
    const n = prng.int(1, 5);
    const used = new Set<string>();
    for (let i = 0; i < n; i++) {
      const ioiId = ioId * 10 + items.length + 1;
      if (packaging) {
        const p = prng.pick(PACKAGING);
        if (used.has(p.sku)) continue;
        used.add(p.sku);
        items.push(item(ioId, ioiId, p.sku, p.iid, p.name, p.props, prng));
      } else {
        const g = prng.pick(GOODS);
        if (used.has(g.goodsNo)) continue;
        used.add(g.goodsNo);
        items.push(
          item(
            ioId,
            ioiId,
            jushuitanSkuOf(g.goodsNo),
            g.goodsNo,
            g.goodsName,
            g.specName.replace(' ', ';'),
            prng,
          ),
        );
      }
    }
    const u = prng.next();
    const status =
      u < 0.7
        ? 'Confirmed'
        : u < 0.85
          ? 'WaitConfirm'
          : u < 0.95
            ? 'Archive'
            : 'Cancelled';
    const ioDate = at - prng.int(5, 600) * MIN;
    return {
      io_id: ioId,
      io_date: formatBeijing(ioDate),
      status,
      warehouse: wh.warehouse,
      creator_name: personName(prng.pick),
      remark: packaging
        ? prng.pick(PACKAGING_REMARKS)
        : prng.pick(GOODS_REMARKS),
      wh_id: wh.wh_id,
      wms_co_id: prng.pick(JUSHUITAN_BRANCHES),
      modified: formatBeijing(at),
      type: '盘点',
      f_status: status === 'WaitConfirm' ? 'WaitConfirm' : 'Confirmed',
      lock_wh_id: null,
      lock_wh_name: null,
      labels: '',
      items,
      batchs: [],
      sns: [],
    };
  },
  modify(prng, count, at) {
    const next = structuredClone(count);
    next.modified = formatBeijing(at);
    if (count.status === 'WaitConfirm') {
      next.status = 'Confirmed';
      next['f_status'] = 'Confirmed';
    } else if (count.status === 'Confirmed' && prng.chance(0.3)) {
      next.status = 'Archive';
    } else {
      const target = next.items[prng.int(0, next.items.length - 1)];
      if (target) {
        target.qty += prng.chance(0.5) ? -1 : 1;
      }
    }
    return next;
  },
};

function item(
  ioId: number,
  ioiId: number,
  sku: string,
  iid: string,
  name: string,
  props: string,
  prng: Prng,
): JushuitanCountItem {
  const rQty = prng.int(0, 200);
  const u = prng.next();
  const qty = u < 0.45 ? -prng.int(1, 12) : u < 0.8 ? prng.int(1, 8) : 0;
  return {
    io_id: ioId,
    ioi_id: ioiId,
    sku_id: sku,
    i_id: iid,
    name,
    properties_value: props,
    r_qty: rQty,
    qty,
    batch_id: null,
    product_date: null,
    supplier_id: null,
    expiration_date: null,
  };
}
