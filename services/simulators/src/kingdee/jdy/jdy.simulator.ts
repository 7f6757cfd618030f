import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { DocumentStore } from '../shared/document-store';
import {
  headerValue,
  jsonResponse,
  simServerOptionsShape,
  uniqueBillNoShape,
  startSimServer,
  type AdminRoute,
  type PlatformBehaviour,
  type SimRequest,
  type PlatformResponse,
  type SimServerHandle,
  type SimulatorDeps,
} from '../shared/kingdee-server';
import { kingdeeAdminRoutes } from '../shared/kingdee-admin';
import { safeEqual } from '../../common';
import {
  detail,
  FORM,
  jdyEnvelope,
  list,
  listBaseData,
  save,
  type JdyBillContext,
  type JdyStoredBill,
} from './jdy-bill.handlers';
import {
  JDY_DEFAULT_MASTER_DATA,
  jdyMasterDataSchema,
  type JdyMasterData,
} from './jdy-master-data';
import {
  jdyAppSignature,
  jdyCanonicalQuery,
  jdyGatewaySignature,
  JDY_ERRCODE,
} from '@kingbridge/sink-kingdee-client/protocol';

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

/** Base-data lists for id lookups by number (paths unconfirmed; see the README). */
const BASE_DATA_PATHS: Record<string, keyof JdyMasterData> = {
  '/jdy/v2/bd/material': 'materials',
  '/jdy/v2/bd/unit': 'units',
  '/jdy/v2/bd/store': 'stocks',
};
const LOSS_PATH = '/jdy/v2/scm/inv_check_loss_bill';

/** Starts the 金蝶云星辰 (JDY) open API v2 simulator. */
export async function startJdySimulator(
  input: JdySimulatorOptions = {},
  deps: SimulatorDeps = {},
): Promise<JdySimulator> {
  const options = jdySimulatorOptionsSchema.parse(input);
  const now = deps.now ?? (() => Date.now());
  const documents = new DocumentStore<JdyStoredBill>(1);
  const initialMaster = options.masterData ?? JDY_DEFAULT_MASTER_DATA;
  let master: JdyMasterData = structuredClone(initialMaster);
  let appSecret = options.appSecret;
  const tokens = new Map<string, number>();
  let entrySeq = 1;

  const billCtx: JdyBillContext = {
    documents,
    master: () => master,
    nextEntrySeq: () => entrySeq++,
    now,
    uniqueBillNo: options.uniqueBillNo,
  };

  const behaviour: PlatformBehaviour = {
    name: 'jdy',
    handle: async (req) => handle(req),
    overLimit: () =>
      jsonResponse(429, {
        code: 429,
        message: 'Too Many Requests: 请求过于频繁，请稍后再试',
        details: [],
      }),
    injectedError: () =>
      jdyEnvelope(JDY_ERRCODE.systemError, '系统异常，请稍后重试'),
    adminRoutes: adminRoutes(),
    reset: () => {
      documents.clear();
      master = structuredClone(initialMaster);
      appSecret = options.appSecret;
      tokens.clear();
      entrySeq = 1;
    },
    extraStats: () => ({
      documents: documents.list().length,
      tokens: tokens.size,
    }),
  };

  function gatewayCheck(req: SimRequest): PlatformResponse | undefined {
    const refuse = (message: string): PlatformResponse =>
      jsonResponse(519, {
        code: 519,
        message: `API Not Found/sign: ${message}`,
        details: [],
      });
    if (headerValue(req.headers, 'x-api-clientid') !== options.clientId)
      return refuse('X-Api-ClientID 无效');
    if (headerValue(req.headers, 'x-api-auth-version') !== '2.0')
      return refuse('X-Api-Auth-Version 必须为 2.0');
    const timestamp = headerValue(req.headers, 'x-api-timestamp') ?? '';
    const nonce = headerValue(req.headers, 'x-api-nonce') ?? '';
    const signature = headerValue(req.headers, 'x-api-signature') ?? '';
    if (timestamp === '' || nonce === '' || signature === '')
      return refuse('缺少签名头');
    const ts = Number(timestamp);
    if (
      !Number.isFinite(ts) ||
      Math.abs(now() - ts) > options.timestampWindowMs
    )
      return refuse('X-Api-TimeStamp 已过期');
    const params = [...req.query.entries()];
    const valid = (['rfc3986', 'form'] as const).some((style) =>
      safeEqual(
        jdyGatewaySignature(
          options.clientSecret,
          req.method,
          req.path,
          jdyCanonicalQuery(params, style),
          nonce,
          timestamp,
        ),
        signature,
      ),
    );
    return valid ? undefined : refuse('签名校验失败');
  }

  function businessCheck(req: SimRequest): PlatformResponse | undefined {
    if (headerValue(req.headers, 'x-gw-router-addr') !== options.domain) {
      return jsonResponse(404, { code: 404, message: 'No Route', details: [] });
    }
    const token = headerValue(req.headers, 'app-token') ?? '';
    const expires = tokens.get(token);
    if (expires === undefined || expires <= now()) {
      tokens.delete(token);
      return jdyEnvelope(
        JDY_ERRCODE.tokenInvalid,
        'app-token 无效或已过期，请重新获取',
      );
    }
    return undefined;
  }

  async function handle(req: SimRequest): Promise<PlatformResponse> {
    const path = req.path;
    const known =
      path === '/jdyconnector/app_management/push_app_authorize' ||
      path === '/jdyconnector/app_management/kingdee_auth_token' ||
      path === LOSS_PATH ||
      path === `${LOSS_PATH}_detail` ||
      path in BASE_DATA_PATHS;
    if (!known)
      return jsonResponse(404, { code: 404, message: 'No Route', details: [] });
    const gateway = gatewayCheck(req);
    if (gateway) return gateway;

    if (
      path === '/jdyconnector/app_management/push_app_authorize' &&
      req.method === 'POST'
    ) {
      if (req.query.get('outerInstanceId') !== options.outerInstanceId) {
        return jdyEnvelope(
          JDY_ERRCODE.instanceNotFound,
          '未找到该实例的授权信息',
        );
      }
      return jdyEnvelope(JDY_ERRCODE.ok, 'success', [
        {
          appKey: options.appKey,
          appSecret,
          accountId: options.accountId,
          accountName: '金桥科技',
          agreementCompanyName: '金桥科技集团有限公司',
          serviceId: '15',
          outerInstanceId: options.outerInstanceId,
          domain: options.domain,
          groupName: '金桥科技',
          status: '1',
        },
      ]);
    }
    if (
      path === '/jdyconnector/app_management/kingdee_auth_token' &&
      req.method === 'GET'
    ) {
      const appKey = req.query.get('app_key') ?? '';
      const signature = req.query.get('app_signature') ?? '';
      if (
        appKey !== options.appKey ||
        !safeEqual(jdyAppSignature(appKey, appSecret), signature)
      ) {
        return jdyEnvelope(JDY_ERRCODE.appSecretInvalid, '授权密钥校验失败');
      }
      const token = `${randomBytes(20).toString('hex')}`;
      const expires = now() + options.tokenTtlMs;
      tokens.set(token, expires);
      return jdyEnvelope(JDY_ERRCODE.ok, 'success', {
        'app-token': token,
        access_token: token,
        expires,
        uid: options.accountId,
        domain: options.domain,
      });
    }

    const business = businessCheck(req);
    if (business) return business;
    if (path === LOSS_PATH && req.method === 'POST') return save(billCtx, req);
    if (path === LOSS_PATH && req.method === 'GET') return list(billCtx, req);
    const baseData = BASE_DATA_PATHS[path];
    if (baseData && req.method === 'GET')
      return listBaseData(billCtx, req, baseData);
    if (path === `${LOSS_PATH}_detail` && req.method === 'GET')
      return detail(billCtx, req);
    return jsonResponse(405, {
      code: 405,
      message: 'Method Not Allowed',
      details: [],
    });
  }

  function adminRoutes(): AdminRoute[] {
    const masterUpsert = jdyMasterDataSchema.extend({
      remove: z
        .object({
          materials: z.array(z.string()).default([]),
          units: z.array(z.string()).default([]),
          stocks: z.array(z.string()).default([]),
        })
        .optional(),
    });
    return [
      ...kingdeeAdminRoutes({
        documents,
        formId: FORM,
        view: (doc) => ({
          id: String(doc.id),
          status: doc.status,
          body: doc.body.request,
        }),
        masterData: () => master,
        masterUpsert: {
          schema: masterUpsert,
          whenEmpty: {},
          apply: (body) => {
            const upsert = <T extends { id: string }>(
              target: T[],
              items: T[],
            ): T[] => [
              ...target.filter((t) => !items.some((i) => i.id === t.id)),
              ...items,
            ];
            const removeIds = body.remove;
            master = {
              materials: upsert(master.materials, body.materials).filter(
                (m) => !removeIds?.materials.includes(m.id),
              ),
              units: upsert(master.units, body.units).filter(
                (u) => !removeIds?.units.includes(u.id),
              ),
              stocks: upsert(master.stocks, body.stocks).filter(
                (s) => !removeIds?.stocks.includes(s.id),
              ),
            };
            return master;
          },
        },
        expireSessions: () => {
          const expired = tokens.size;
          tokens.clear();
          return expired;
        },
      }),
      {
        method: 'POST',
        path: '/rotate-app-secret',
        handle: () => {
          appSecret = randomBytes(16).toString('hex');
          return { rotated: true };
        },
      },
    ];
  }

  const server = await startSimServer(behaviour, options, deps);
  return {
    ...server,
    documents,
    options,
    masterData: () => structuredClone(master),
    appSecret: () => appSecret,
  };
}
