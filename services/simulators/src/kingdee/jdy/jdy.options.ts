import { z } from 'zod';
import type { DocumentStore } from '../shared/document-store';
import {
  simServerOptionsShape,
  uniqueBillNoShape,
  type SimServerHandle,
} from '../shared/kingdee-server';
import type { JdyStoredBill } from './jdy-bill.handlers';
import { jdyMasterDataSchema, type JdyMasterData } from './jdy-master-data';

export const jdySimulatorOptionsSchema = z.object({
  ...simServerOptionsShape,
  ...uniqueBillNoShape,
  clientId: z
    .string()
    .default('232087')
    .describe('X-Api-ClientID of the developer app'),
  clientSecret: z
    .string()
    .default('5f1c8b2e7d9a4c3b8e6f0a1d2c3b4a59')
    .describe('Client secret signing every gateway call'),
  outerInstanceId: z
    .string()
    .default('509132114453729280')
    .describe('Instance id accepted by push_app_authorize'),
  appKey: z
    .string()
    .default('kbJdyAppKey01')
    .describe('Account app key returned by push_app_authorize'),
  appSecret: z
    .string()
    .default('b7d3e1f09c8a4e2d9f6b5a4c3d2e1f00')
    .describe('Account app secret (rotate via admin)'),
  accountId: z.string().default('1598765432109876543'),
  domain: z
    .string()
    .default('https://tf.jdy.com')
    .describe('IDC domain clients must send as X-GW-Router-Addr'),
  tokenTtlMs: z
    .number()
    .int()
    .min(1)
    .default(24 * 3600 * 1000)
    .describe('app-token lifetime'),
  timestampWindowMs: z
    .number()
    .int()
    .min(0)
    .default(5 * 60 * 1000)
    .describe('Accepted X-Api-TimeStamp skew'),
  masterData: jdyMasterDataSchema
    .optional()
    .describe(
      'Materials (with allowed units), units and stocks by internal id',
    ),
});
export type JdySimulatorOptions = z.input<typeof jdySimulatorOptionsSchema>;

export interface JdySimulator extends SimServerHandle {
  readonly documents: DocumentStore<JdyStoredBill>;
  readonly options: z.infer<typeof jdySimulatorOptionsSchema>;
  masterData(): JdyMasterData;
  /** The app secret currently valid (it rotates through admin, as the real one does every 24 h). */
  appSecret(): string;
}
