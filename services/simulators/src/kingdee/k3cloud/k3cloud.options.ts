import { z } from 'zod';
import type { DocumentStore } from '../shared/document-store';
import {
  simServerOptionsShape,
  uniqueBillNoShape,
  type SimServerHandle,
} from '../shared/kingdee-server';
import type { K3SessionManager } from './k3cloud-auth';
import type { K3MasterDataStore } from './k3cloud-master-data.store';
import type { K3StoredBill } from './k3cloud-save.handler';

const masterSeedSchema = z.object({
  number: z.string().min(1),
  name: z.string(),
  attrs: z.record(z.string(), z.unknown()).optional(),
});

export const k3CloudSimulatorOptionsSchema = z.object({
  ...simServerOptionsShape,
  acctId: z
    .string()
    .default('66b1f0c2a8e4d1')
    .describe('Data-centre (账套) id accepted by login and X-Kd-Appdata'),
  users: z
    .array(z.object({ userName: z.string(), password: z.string() }))
    .default([{ userName: 'kingbridge', password: 'Kb@2026!' }])
    .describe(
      'Users for ValidateUser (and the user names allowed in the app-secret modes)',
    ),
  apps: z
    .array(z.object({ appId: z.string(), appSecret: z.string() }))
    .default([
      {
        appId: '235326_w53uTUC1ZtWy5aRt2pMQRvQ7m6CXnLkB',
        appSecret: 'c1e8b3e09a5d4b2f8e6f7a9d0c3b2a14',
      },
    ])
    .describe(
      'Third-party app authorisations (AppID {clientId}_{encodedSecret} + AppSecret)',
    ),
  sessionTtlMs: z
    .number()
    .int()
    .min(1)
    .default(20 * 60 * 1000)
    .describe('Sliding session lifetime'),
  loginSignAlgorithm: z
    .enum(['sha256', 'sha1'])
    .default('sha256')
    .describe('LoginBySign hash (sha1 = before PT-146911)'),
  loginSignMaxSkewMs: z
    .number()
    .int()
    .min(0)
    .default(15 * 60 * 1000)
    .describe('LoginBySign timestamp window (unconfirmed)'),
  verifyGatewaySignature: z
    .boolean()
    .default(true)
    .describe('Also check X-Api-Signature in signed-header mode'),
  ...uniqueBillNoShape,
  masterData: z
    .record(z.string(), z.array(masterSeedSchema))
    .optional()
    .describe(
      'Master data by form id; a form listed here replaces that form in the default seed',
    ),
});
export type K3CloudSimulatorOptions = z.input<
  typeof k3CloudSimulatorOptionsSchema
>;

export interface K3CloudSimulator extends SimServerHandle {
  readonly baseUrl: string;
  readonly acctId: string;
  readonly documents: DocumentStore<K3StoredBill>;
  readonly masterData: K3MasterDataStore;
  readonly sessions: K3SessionManager;
  readonly options: z.infer<typeof k3CloudSimulatorOptionsSchema>;
}
