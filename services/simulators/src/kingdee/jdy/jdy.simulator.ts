import {
  jsonResponse,
  type PlatformResponse,
  type SimRequest,
  type SimulatorDeps,
} from '../shared/kingdee-server';
import {
  startTokenPlatform,
  tokenPlatformState,
} from '../shared/kingdee-simulator';
import { JDY_ERRCODE } from '@kingbridge/sink-kingdee-client/protocol';
import { jdyAdminRoutes } from './jdy-admin';
import {
  detail,
  jdyEnvelope,
  list,
  listBaseData,
  save,
  type JdyStoredBill,
} from './jdy-bill.handlers';
import {
  AUTH_TOKEN_PATH,
  authToken,
  businessCheck,
  gatewayCheck,
  NO_ROUTE,
  PUSH_APP_AUTHORIZE_PATH,
  pushAppAuthorize,
  type JdyContext,
} from './jdy-gateway';
import { JDY_DEFAULT_MASTER_DATA, type JdyMasterData } from './jdy-master-data';
import {
  jdySimulatorOptionsSchema,
  type JdySimulator,
  type JdySimulatorOptions,
} from './jdy.options';

/**
 * errcodes the simulator answers with. 0, 2000002000 and 1030002006 are documented; the others are
 * simulator choices (the public code table is unconfirmed) — see the README.
 */
export { JDY_ERRCODE };
export {
  JDY_DEFAULT_MASTER_DATA,
  jdyMasterDataSchema,
  type JdyMasterData,
} from './jdy-master-data';
export type { JdyStoredBill } from './jdy-bill.handlers';
export {
  jdySimulatorOptionsSchema,
  type JdySimulator,
  type JdySimulatorOptions,
} from './jdy.options';

/** Base-data lists for id lookups by number (paths unconfirmed; see the README). */
const BASE_DATA_PATHS: Record<string, keyof JdyMasterData> = {
  '/jdy/v2/bd/material': 'materials',
  '/jdy/v2/bd/unit': 'units',
  '/jdy/v2/bd/store': 'stocks',
};
const LOSS_PATH = '/jdy/v2/scm/inv_check_loss_bill';

function handle(ctx: JdyContext, req: SimRequest): PlatformResponse {
  const { bills } = ctx;
  const path = req.path;
  const known =
    path === PUSH_APP_AUTHORIZE_PATH ||
    path === AUTH_TOKEN_PATH ||
    path === LOSS_PATH ||
    path === `${LOSS_PATH}_detail` ||
    path in BASE_DATA_PATHS;
  if (!known) return NO_ROUTE();
  const gateway = gatewayCheck(ctx, req);
  if (gateway) return gateway;
  if (path === PUSH_APP_AUTHORIZE_PATH && req.method === 'POST')
    return pushAppAuthorize(ctx, req);
  if (path === AUTH_TOKEN_PATH && req.method === 'GET')
    return authToken(ctx, req);

  const business = businessCheck(ctx, req);
  if (business) return business;
  if (path === LOSS_PATH && req.method === 'POST') return save(bills, req);
  if (path === LOSS_PATH && req.method === 'GET') return list(bills, req);
  const baseData = BASE_DATA_PATHS[path];
  if (baseData && req.method === 'GET')
    return listBaseData(bills, req, baseData);
  if (path === `${LOSS_PATH}_detail` && req.method === 'GET')
    return detail(bills, req);
  return jsonResponse(405, {
    code: 405,
    message: 'Method Not Allowed',
    details: [],
  });
}

/** Starts the 金蝶云星辰 (JDY) open API v2 simulator. */
export async function startJdySimulator(
  input: JdySimulatorOptions = {},
  deps: SimulatorDeps = {},
): Promise<JdySimulator> {
  const options = jdySimulatorOptionsSchema.parse(input);
  const base = tokenPlatformState<JdyStoredBill, JdyMasterData>(
    options.masterData ?? JDY_DEFAULT_MASTER_DATA,
    1,
    options,
    deps,
  );
  const ctx: JdyContext = {
    ...base,
    options,
    appSecret: options.appSecret,
    entrySeq: 1,
    bills: { ...base.bills, nextEntrySeq: () => ctx.entrySeq++ },
  };
  const sim = await startTokenPlatform(
    ctx,
    {
      name: 'jdy',
      handle: async (req) => handle(ctx, req),
      overLimit: () =>
        jsonResponse(429, {
          code: 429,
          message: 'Too Many Requests: 请求过于频繁，请稍后再试',
          details: [],
        }),
      injectedError: () =>
        jdyEnvelope(JDY_ERRCODE.systemError, '系统异常，请稍后重试'),
      adminRoutes: jdyAdminRoutes(ctx),
      reset: () => {
        ctx.appSecret = options.appSecret;
        ctx.entrySeq = 1;
      },
    },
    options,
    deps,
  );
  return { ...sim, appSecret: () => ctx.appSecret };
}
