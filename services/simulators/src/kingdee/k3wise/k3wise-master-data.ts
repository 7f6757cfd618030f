import { z } from 'zod';
import { XIAOMAN_SAMPLE_PRODUCT } from '../../sources/xiaoman/xiaoman-data';
import {
  CATALOG_CRM_CURRENCIES,
  CATALOG_CRM_CUSTOMERS,
  CATALOG_MATERIALS,
} from '../shared/source-catalog.master';

const itemSchema = z.object({ number: z.string().min(1), name: z.string() });
export const k3WiseMasterDataSchema = z.object({
  customers: z.array(itemSchema).default([]),
  materials: z.array(itemSchema).default([]),
  units: z.array(itemSchema).default([]),
  currencies: z.array(itemSchema).default([]),
  departments: z.array(itemSchema).default([]),
  employees: z.array(itemSchema).default([]),
});
export type K3WiseMasterData = z.infer<typeof k3WiseMasterDataSchema>;
export type K3WiseCategory = keyof K3WiseMasterData;

export const K3WISE_DEFAULT_MASTER_DATA: K3WiseMasterData = {
  customers: [
    ...CATALOG_CRM_CUSTOMERS,
    { number: '01.001', name: '上海茗远贸易有限公司' },
    { number: '01.002', name: 'Green Leaf Trading LLC' },
    { number: '01.003', name: '深圳市香茗进出口有限公司' },
  ],
  materials: [
    ...CATALOG_MATERIALS.map((m) => ({ number: m.number, name: m.name })),
    { ...XIAOMAN_SAMPLE_PRODUCT },
    { number: '1.01.001', name: '有机绿茶 250g' },
    { number: '1.01.002', name: '龙井礼盒 500g' },
    { number: '1.02.001', name: '紫砂茶杯' },
    { number: '1.03.001', name: '便携茶具套装' },
  ],
  units: [
    { number: 'Pcs', name: '个' },
    { number: 'Box', name: '盒' },
  ],
  currencies: [{ number: 'RMB', name: '人民币' }, ...CATALOG_CRM_CURRENCIES],
  departments: [{ number: '02', name: '外贸部' }],
  employees: [{ number: '001', name: '王芳' }],
};
