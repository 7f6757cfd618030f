import { z } from 'zod';
import { DocumentStore } from '../shared/document-store';
import {
  jsonResponse,
  parseJsonOrUndefined,
  simServerOptionsShape,
  startSimServer,
  type AdminRoute,
  type PlatformBehaviour,
  type SimRequest,
  type PlatformResponse,
  type SimServerHandle,
  type SimulatorDeps,
  uniqueBillNoShape,
} from '../shared/kingdee-server';
import { kingdeeAdminRoutes } from '../shared/kingdee-admin';
import { K3_DYNAMIC_FORM_SERVICE } from '@kingbridge/sink-kingdee-client/protocol';
import { K3SessionManager } from './k3cloud-auth';
import {
  handleQuery,
  handleSave,
  handleStateChange,
  handleView,
  type K3BillContext,
} from './k3cloud-bill.handlers';
import {
  handleLogin,
  loginFailure,
  type K3LoginContext,
} from './k3cloud-login.handler';
import {
  findK3Form,
  K3_DEFAULT_MASTER_DATA,
  type K3MasterSeedRecord,
} from './k3cloud-forms';
import { K3MasterDataStore } from './k3cloud-master-data.store';
import {
  K3_MSG,
  K3_SESSION_LOST_MESSAGE,
  k3Failure,
  K3_AUTH_PREFIX,
} from './k3cloud-response.util';
import { isRecord, type K3StoredBill } from './k3cloud-save.handler';

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

const SERVICE_PATH = /^\/(k3cloud|galaxyapi)\/(.+)\.common\.kdsvc$/i;
const AUTH = K3_AUTH_PREFIX;
const DYN = `${K3_DYNAMIC_FORM_SERVICE.toLowerCase()}.`;

const masterUpsertSchema = z.object({
  formId: z.string().min(1),
  records: z
    .array(
      z.object({
        number: z.string().min(1),
        name: z.string(),
        attrs: z.record(z.string(), z.unknown()).optional(),
        status: z.enum(['A', 'B', 'C']).optional(),
        forbidden: z.boolean().optional(),
      }),
    )
    .default([]),
  remove: z.array(z.string()).default([]),
});

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
  const now = deps.now ?? (() => Date.now());
  const sessions = new K3SessionManager(options, now);
  const repeatPackages = new Set<string>();
  let entryId = 200001;
  const billCtx: K3BillContext = {
    documents,
    masterData,
    now,
    nextEntryId: () => entryId++,
    uniqueBillNo: options.uniqueBillNo,
    repeatPackages,
  };
  const loginCtx: K3LoginContext = { sessions, acctId: options.acctId };

  const behaviour: PlatformBehaviour = {
    name: 'k3cloud',
    handle: async (req) => handle(req),
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
    adminRoutes: adminRoutes(),
    reset: () => {
      documents.clear();
      masterData.reset();
      sessions.expireAll();
      repeatPackages.clear();
      entryId = 200001;
    },
    extraStats: () => ({
      documents: documents.list().length,
      writes: documents.list().reduce((n, d) => n + d.writeCount, 0),
      sessions: sessions.count(),
    }),
  };

  function serviceOf(req: SimRequest): string | undefined {
    const match = SERVICE_PATH.exec(req.path);
    return match?.[2]?.toLowerCase();
  }

  function isQuery(service: string | undefined): boolean {
    return (
      service === `${DYN}executebillquery` || service === `${DYN}billquery`
    );
  }

  function isLogin(service: string | undefined): boolean {
    return (
      service !== undefined &&
      service.startsWith(AUTH) &&
      service !== `${AUTH}logout`
    );
  }

  /** The same failure in the shape the caller's service uses. */
  function errorFor(
    req: SimRequest,
    msgCode: number,
    message: string,
  ): PlatformResponse {
    const service = serviceOf(req);
    if (isLogin(service)) return jsonResponse(200, loginFailure(-1, message));
    if (isQuery(service))
      return jsonResponse(200, [[k3Failure(msgCode, message)]]);
    return jsonResponse(200, k3Failure(msgCode, message));
  }

  async function handle(req: SimRequest): Promise<PlatformResponse> {
    const service = serviceOf(req);
    if (!service) {
      return {
        status: 404,
        headers: { 'content-type': 'text/html' },
        body: '<html><body><h2>404 - 找不到文件或目录。</h2></body></html>',
      };
    }
    if (req.method !== 'POST') {
      return {
        status: 405,
        headers: { 'content-type': 'text/html' },
        body: '<html><body><h2>405 - 不允许使用用于访问此页的 HTTP 谓词。</h2></body></html>',
      };
    }
    const body = parseJsonOrUndefined(req.body);
    if (service.startsWith(AUTH))
      return handleLogin(loginCtx, req, service, body);

    const auth = sessions.authenticate(req);
    if (!auth.ok) {
      if (auth.kind === 'passport')
        return {
          status: 500,
          headers: { 'content-type': 'text/plain; charset=utf-8' },
          body: auth.text,
        };
      return errorFor(req, K3_MSG.sessionLost, K3_SESSION_LOST_MESSAGE);
    }
    const withCookies = (response: PlatformResponse): PlatformResponse =>
      auth.setCookies.length === 0
        ? response
        : {
            ...response,
            headers: { ...response.headers, 'set-cookie': auth.setCookies },
          };
    if (!isRecord(body))
      return withCookies(
        errorFor(
          req,
          K3_MSG.parameterError,
          '请求参数格式错误：无法解析为 JSON 对象',
        ),
      );

    const op = service.startsWith(DYN) ? service.slice(DYN.length) : '';
    switch (op) {
      case 'save':
      case 'draft':
        return withCookies(handleSave(billCtx, body, false));
      case 'batchsave':
        return withCookies(handleSave(billCtx, body, true));
      case 'executebillquery':
      case 'billquery':
        return withCookies(handleQuery(billCtx, body, op === 'billquery'));
      case 'view':
        return withCookies(handleView(billCtx, body));
      case 'submit':
      case 'audit':
      case 'unaudit':
      case 'delete':
        return withCookies(handleStateChange(billCtx, body, op));
      default:
        return withCookies(
          jsonResponse(
            200,
            k3Failure(K3_MSG.exception, `服务“${service}”不存在或未实现`),
          ),
        );
    }
  }

  function adminRoutes(): AdminRoute[] {
    return kingdeeAdminRoutes({
      documents,
      view: (doc) => ({
        status: doc.status,
        unresolvedRefs: doc.body.unresolvedRefs,
        model: doc.body.model,
      }),
      masterData: (req) =>
        masterData.list(req.query.get('formId') ?? undefined),
      masterUpsert: {
        schema: masterUpsertSchema,
        whenEmpty: undefined,
        apply: (body) => {
          const form = findK3Form(body.formId);
          const formId = form?.formId ?? body.formId;
          const upserted = body.records.map((record) =>
            masterData.upsert(formId, record),
          );
          const removed = body.remove.filter((number) =>
            masterData.remove(formId, number),
          );
          return { upserted, removed };
        },
      },
      expireSessions: () => sessions.expireAll(),
    });
  }

  const server = await startSimServer(behaviour, options, deps);
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
