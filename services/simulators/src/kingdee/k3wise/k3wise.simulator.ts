import { jsonResponse, type SimulatorDeps } from '../shared/kingdee-server';
import {
  startTokenPlatform,
  tokenPlatformState,
} from '../shared/kingdee-simulator';
import { k3WiseAdminRoutes } from './k3wise-admin';
import { handleK3Api, type K3WiseContext } from './k3wise-api.handler';
import { k3WiseAnswer, type K3WiseStoredBill } from './k3wise-bill.handlers';
import {
  K3WISE_DEFAULT_MASTER_DATA,
  type K3WiseMasterData,
} from './k3wise-master-data';
import {
  k3WiseSimulatorOptionsSchema,
  type K3WiseSimulator,
  type K3WiseSimulatorOptions,
} from './k3wise.options';

export type { K3WiseStoredBill } from './k3wise-bill.handlers';
export {
  k3WiseMasterDataSchema,
  type K3WiseMasterData,
} from './k3wise-master-data';
export {
  k3WiseSimulatorOptionsSchema,
  type K3WiseSimulator,
  type K3WiseSimulatorOptions,
} from './k3wise.options';

/** Starts the K/3 WISE WebAPI (K3API) simulator: token by authorityCode, `/K3API/SO/Save`, `/K3API/SO/GetList`. */
export async function startK3WiseSimulator(
  input: K3WiseSimulatorOptions = {},
  deps: SimulatorDeps = {},
): Promise<K3WiseSimulator> {
  const options = k3WiseSimulatorOptionsSchema.parse(input);
  const ctx: K3WiseContext = {
    ...tokenPlatformState<K3WiseStoredBill, K3WiseMasterData>(
      options.masterData ?? K3WISE_DEFAULT_MASTER_DATA,
      1001,
      options,
      deps,
    ),
    options,
  };
  return startTokenPlatform(
    ctx,
    {
      name: 'k3wise',
      handle: async (req) => handleK3Api(ctx, req),
      overLimit: () =>
        jsonResponse(503, {
          StatusCode: 503,
          Message: '服务器繁忙，当前并发请求过多，请稍后重试',
          Data: null,
        }),
      injectedError: () =>
        k3WiseAnswer(500, '保存失败：数据库操作超时，事务已回滚'),
      adminRoutes: k3WiseAdminRoutes(ctx),
    },
    options,
    deps,
  );
}
