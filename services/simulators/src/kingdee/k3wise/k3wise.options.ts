import { z } from 'zod';
import type { DocumentStore } from '../shared/document-store';
import {
  simServerOptionsShape,
  uniqueBillNoShape,
  type SimServerHandle,
} from '../shared/kingdee-server';
import type { K3WiseStoredBill } from './k3wise-bill.handlers';
import {
  k3WiseMasterDataSchema,
  type K3WiseMasterData,
} from './k3wise-master-data';

export const k3WiseSimulatorOptionsSchema = z.object({
  ...simServerOptionsShape,
  ...uniqueBillNoShape,
  authorityCode: z
    .string()
    .default('7c1f2e9a4b3d4c8e9f0a1b2c3d4e5f60')
    .describe('authorityCode issued by EBDI to the partner'),
  tokenTtlMs: z
    .number()
    .int()
    .min(1)
    .default(3600 * 1000)
    .describe('Token lifetime (default 1 h)'),
  masterData: k3WiseMasterDataSchema
    .optional()
    .describe(
      'Customers, materials, units, currencies, departments, employees by FNumber',
    ),
});
export type K3WiseSimulatorOptions = z.input<
  typeof k3WiseSimulatorOptionsSchema
>;

export interface K3WiseSimulator extends SimServerHandle {
  readonly documents: DocumentStore<K3WiseStoredBill>;
  readonly options: z.infer<typeof k3WiseSimulatorOptionsSchema>;
  masterData(): K3WiseMasterData;
}
