import { DocumentStore } from '../shared/document-store';
import type { SimulatorDeps } from '../shared/kingdee-server';
import { clockOf, startKingdeeSimulator } from '../shared/kingdee-simulator';
import { K3SessionManager } from './k3cloud-auth';
import { k3CloudAdminRoutes } from './k3cloud-admin';
import {
  K3_DEFAULT_MASTER_DATA,
  type K3MasterSeedRecord,
} from './k3cloud-forms';
import { K3MasterDataStore } from './k3cloud-master-data.store';
import { K3_MSG } from './k3cloud-response.util';
import { errorFor, handleK3Cloud, type K3CloudContext } from './k3cloud-router';
import type { K3StoredBill } from './k3cloud-save.handler';
import {
  k3CloudSimulatorOptionsSchema,
  type K3CloudSimulator,
  type K3CloudSimulatorOptions,
} from './k3cloud.options';

export {
  k3CloudSimulatorOptionsSchema,
  type K3CloudSimulator,
  type K3CloudSimulatorOptions,
} from './k3cloud.options';

const FIRST_ENTRY_ID = 200001;

/** Starts the 金蝶云星空 WebAPI simulator (base URL `${url}/k3cloud/`). */
export async function startK3CloudSimulator(
  input: K3CloudSimulatorOptions = {},
  deps: SimulatorDeps = {},
): Promise<K3CloudSimulator> {
  const options = k3CloudSimulatorOptionsSchema.parse(input);
  const seed: Record<string, readonly K3MasterSeedRecord[]> = {
    ...K3_DEFAULT_MASTER_DATA,
    ...options.masterData,
  };
  const documents = new DocumentStore<K3StoredBill>();
  const masterData = new K3MasterDataStore(seed);
  const now = clockOf(deps);
  const sessions = new K3SessionManager(options, now);
  const repeatPackages = new Set<string>();
  let entryId = FIRST_ENTRY_ID;
  const ctx: K3CloudContext = {
    options,
    sessions,
    bills: {
      documents,
      masterData,
      now,
      nextEntryId: () => entryId++,
      uniqueBillNo: options.uniqueBillNo,
      repeatPackages,
    },
  };
  const server = await startKingdeeSimulator(
    {
      name: 'k3cloud',
      documents,
      handle: async (req) => handleK3Cloud(ctx, req),
      overLimit: (req) =>
        errorFor(
          req,
          K3_MSG.callLimited,
          '调用限制：当前并发请求数已超过服务器允许的上限，请稍后重试',
        ),
      injectedError: (req) =>
        errorFor(
          req,
          6,
          '事务(进程 ID 63)与另一个进程被死锁在 锁 资源上，并且已被选作死锁牺牲品。请重新运行该事务。',
        ),
      adminRoutes: k3CloudAdminRoutes(ctx),
      reset: () => {
        masterData.reset();
        sessions.expireAll();
        repeatPackages.clear();
        entryId = FIRST_ENTRY_ID;
      },
      extraStats: () => ({
        writes: documents.list().reduce((n, d) => n + d.writeCount, 0),
        sessions: sessions.count(),
      }),
    },
    options,
    deps,
  );
  return {
    ...server,
    baseUrl: `${server.url}/k3cloud/`,
    acctId: options.acctId,
    documents,
    masterData,
    sessions,
    options,
  };
}
