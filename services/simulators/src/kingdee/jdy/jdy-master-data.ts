import { z } from 'zod';
import {
  CATALOG_MATERIALS,
  CATALOG_STOCKS,
  CATALOG_UNITS,
} from '../shared/source-catalog.master';

const materialSchema = z.object({
  id: z.string(),
  number: z.string(),
  name: z.string(),
  unitIds: z.array(z.string()).min(1),
});
const namedSchema = z.object({
  id: z.string(),
  number: z.string(),
  name: z.string(),
});
export const jdyMasterDataSchema = z.object({
  materials: z.array(materialSchema).default([]),
  units: z.array(namedSchema).default([]),
  stocks: z.array(namedSchema).default([]),
});
export type JdyMasterData = z.infer<typeof jdyMasterDataSchema>;

const BASE_MASTER: JdyMasterData = {
  units: [
    { id: '1540000000000000001', number: 'Pcs', name: '个' },
    { id: '1540000000000000002', number: 'Box', name: '盒' },
    { id: '1540000000000000003', number: 'Set', name: '套' },
  ],
  materials: [
    {
      id: '1550000000000000001',
      number: 'SKU001',
      name: '有机绿茶 250g',
      unitIds: ['1540000000000000001'],
    },
    {
      id: '1550000000000000002',
      number: 'SKU002',
      name: '龙井礼盒 500g',
      unitIds: ['1540000000000000002', '1540000000000000001'],
    },
    {
      id: '1550000000000000003',
      number: 'SKU003',
      name: '紫砂茶杯',
      unitIds: ['1540000000000000001'],
    },
    {
      id: '1550000000000000004',
      number: 'SKU004',
      name: '便携茶具套装',
      unitIds: ['1540000000000000003'],
    },
    {
      id: '1550000000000000005',
      number: 'PKG001',
      name: '包材-快递纸箱',
      unitIds: ['1540000000000000001'],
    },
  ],
  stocks: [
    { id: '1560000000000000001', number: 'CK001', name: '杭州成品仓' },
    { id: '1560000000000000002', number: 'CK002', name: '广州电商仓' },
  ],
};

const catalogUnitId = (unit: string): string =>
  `15410000000000${String(CATALOG_UNITS.indexOf(unit) + 1).padStart(5, '0')}`;

/** The fixed sample plus the source simulators' catalog (ids are deterministic). */
export const JDY_DEFAULT_MASTER_DATA: JdyMasterData = {
  units: [
    ...BASE_MASTER.units,
    ...CATALOG_UNITS.map((u) => ({ id: catalogUnitId(u), number: u, name: u })),
  ],
  materials: [
    ...BASE_MASTER.materials,
    ...CATALOG_MATERIALS.map((m, i) => ({
      id: `15510000000000${String(i + 1).padStart(5, '0')}`,
      number: m.number,
      name: m.name,
      unitIds: [catalogUnitId(m.unit)],
    })),
  ],
  stocks: CATALOG_STOCKS.map((w, i) => ({
    id: `15600000000000000${String(i + 1).padStart(2, '0')}`,
    number: w.number,
    name: w.name,
  })),
};
