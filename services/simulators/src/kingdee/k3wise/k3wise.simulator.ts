import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { DocumentStore } from '../shared/document-store';
import {
  fieldOf,
  FORM,
  getList,
  k3WiseAnswer,
  save,
  type K3WiseBillContext,
  type K3WiseStoredBill,
} from './k3wise-bill.handlers';
import {
  K3WISE_DEFAULT_MASTER_DATA,
  k3WiseMasterDataSchema,
  type K3WiseCategory,
  type K3WiseMasterData,
} from './k3wise-master-data';

export type { K3WiseStoredBill } from './k3wise-bill.handlers';
export {
  k3WiseMasterDataSchema,
  type K3WiseMasterData,
} from './k3wise-master-data';
import {
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

/** Base-data objects readable through `/K3API/<Object>/GetList`. */
const MASTER_OBJECTS: Record<string, K3WiseCategory> = {
  customer: 'customers',
  material: 'materials',
  unit: 'units',
  currency: 'currencies',
  department: 'departments',
  emp: 'employees',
};

/** Starts the K/3 WISE WebAPI (K3API) simulator: token by authorityCode, `/K3API/SO/Save`, `/K3API/SO/GetList`. */
export async function startK3WiseSimulator(
  input: K3WiseSimulatorOptions = {},
  deps: SimulatorDeps = {},
): Promise<K3WiseSimulator> {
  const options = k3WiseSimulatorOptionsSchema.parse(input);
  const now = deps.now ?? (() => Date.now());
  const documents = new DocumentStore<K3WiseStoredBill>(1001);
  const initialMaster = options.masterData ?? K3WISE_DEFAULT_MASTER_DATA;
  let master: K3WiseMasterData = structuredClone(initialMaster);
  const tokens = new Map<string, number>();

  const billCtx: K3WiseBillContext = {
    documents,
    master: () => master,
    now,
    uniqueBillNo: options.uniqueBillNo,
  };

  const behaviour: PlatformBehaviour = {
    name: 'k3wise',
    handle: async (req) => handle(req),
    overLimit: () =>
      jsonResponse(503, {
        StatusCode: 503,
        Message: '服务器繁忙，当前并发请求过多，请稍后重试',
        Data: null,
      }),
    injectedError: () =>
      k3WiseAnswer(500, '保存失败：数据库操作超时，事务已回滚'),
    adminRoutes: adminRoutes(),
    reset: () => {
      documents.clear();
      master = structuredClone(initialMaster);
      tokens.clear();
    },
    extraStats: () => ({
      documents: documents.list().length,
      tokens: tokens.size,
    }),
  };

  function handle(req: SimRequest): PlatformResponse {
    const path = req.path.toLowerCase();
    if (path === '/k3api/token/create') {
      if (req.method !== 'GET')
        return k3WiseAnswer(405, '请使用 GET 方法获取 Token');
      if (req.query.get('authorityCode') !== options.authorityCode)
        return k3WiseAnswer(401, '授权码(authorityCode)无效或已停用');
      const token = randomBytes(16).toString('hex').toUpperCase();
      tokens.set(token, now() + options.tokenTtlMs);
      return k3WiseAnswer(200, '获取Token成功', {
        Token: token,
        Code: '200',
        Validity: Math.round(options.tokenTtlMs / 1000),
        IPAddress: req.headers['x-forwarded-for'] ?? '127.0.0.1',
        Language: 'chs',
        Create: beijing(now()),
      });
    }
    const match = /^\/k3api\/([^/]+)\/([^/]+)$/.exec(path);
    if (!match)
      return {
        status: 404,
        headers: { 'content-type': 'text/html' },
        body: '<html><body><h2>404 - 找不到文件或目录。</h2></body></html>',
      };
    const token = req.query.get('token') ?? req.query.get('Token') ?? '';
    const expires = tokens.get(token);
    if (expires === undefined || expires <= now()) {
      tokens.delete(token);
      return k3WiseAnswer(401, 'Token无效或已过期，请重新获取Token');
    }
    const [, object, action] = match;
    const category = object ? MASTER_OBJECTS[object] : undefined;
    if (object !== 'so' && !category)
      return k3WiseAnswer(500, `对象[${object}]未开放或不存在`);
    if (req.method !== 'POST') return k3WiseAnswer(405, '请使用 POST 方法');
    if (action === 'save' && object === 'so') return save(billCtx, req);
    if (action === 'getlist') {
      if (category) {
        const resolvers = master[category].map(
          (item, i) =>
            (f: string): unknown =>
              ({ FNUMBER: item.number, FNAME: item.name, FITEMID: i + 1 })[
                f.toUpperCase()
              ] ?? null,
        );
        return getList(billCtx, req, resolvers, 'FNumber,FName');
      }
      const resolvers = documents
        .list({ formId: FORM })
        .map((doc) => (f: string) => fieldOf(doc, f));
      return getList(billCtx, req, resolvers, 'FBillNo,FInterID');
    }
    return k3WiseAnswer(500, `方法[${action}]不存在`);
  }

  function adminRoutes(): AdminRoute[] {
    const upsertSchema = k3WiseMasterDataSchema.partial().extend({
      remove: z.record(z.string(), z.array(z.string())).optional(),
    });
    return kingdeeAdminRoutes({
      documents,
      formId: FORM,
      view: (doc) => ({ page1: doc.body.page1, page2: doc.body.page2 }),
      masterData: () => master,
      masterUpsert: {
        schema: upsertSchema,
        whenEmpty: {},
        apply: (body) => {
          const next = structuredClone(master);
          for (const category of Object.keys(next) as K3WiseCategory[]) {
            const added = body[category] ?? [];
            const removed = body.remove?.[category] ?? [];
            next[category] = [
              ...next[category].filter(
                (i) =>
                  !added.some((a) => a.number === i.number) &&
                  !removed.includes(i.number),
              ),
              ...added,
            ];
          }
          master = next;
          return master;
        },
      },
      expireSessions: () => {
        const expired = tokens.size;
        tokens.clear();
        return expired;
      },
    });
  }

  const server = await startSimServer(behaviour, options, deps);
  return {
    ...server,
    documents,
    options,
    masterData: () => structuredClone(master),
  };
}

function beijing(ms: number): string {
  return new Date(ms + 8 * 3600 * 1000)
    .toISOString()
    .slice(0, 19)
    .replace('T', ' ');
}
