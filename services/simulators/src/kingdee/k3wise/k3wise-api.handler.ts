import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { PlatformResponse, SimRequest } from '../shared/kingdee-server';
import {
  IIS_NOT_FOUND,
  type TokenPlatformState,
} from '../shared/kingdee-simulator';
import {
  fieldOf,
  FORM,
  getList,
  k3WiseAnswer,
  save,
  type K3WiseBillContext,
  type K3WiseStoredBill,
} from './k3wise-bill.handlers';
import type { K3WiseCategory, K3WiseMasterData } from './k3wise-master-data';
import type { k3WiseSimulatorOptionsSchema } from './k3wise.options';

/** Base-data objects readable through `/K3API/<Object>/GetList`. */
const MASTER_OBJECTS: Record<string, K3WiseCategory> = {
  customer: 'customers',
  material: 'materials',
  unit: 'units',
  currency: 'currencies',
  department: 'departments',
  emp: 'employees',
};

/** What the K3API handlers work on. */
export interface K3WiseContext extends TokenPlatformState<
  K3WiseStoredBill,
  K3WiseMasterData
> {
  readonly options: z.infer<typeof k3WiseSimulatorOptionsSchema>;
  readonly bills: K3WiseBillContext;
}

function beijing(ms: number): string {
  return new Date(ms + 8 * 3600 * 1000)
    .toISOString()
    .slice(0, 19)
    .replace('T', ' ');
}

/** `GET /K3API/Token/Create?authorityCode=`. */
function createToken(ctx: K3WiseContext, req: SimRequest): PlatformResponse {
  const { options, bills } = ctx;
  if (req.method !== 'GET')
    return k3WiseAnswer(405, '请使用 GET 方法获取 Token');
  if (req.query.get('authorityCode') !== options.authorityCode)
    return k3WiseAnswer(401, '授权码(authorityCode)无效或已停用');
  const token = randomBytes(16).toString('hex').toUpperCase();
  ctx.tokens.issue(token, bills.now() + options.tokenTtlMs);
  return k3WiseAnswer(200, '获取Token成功', {
    Token: token,
    Code: '200',
    Validity: Math.round(options.tokenTtlMs / 1000),
    IPAddress: req.headers['x-forwarded-for'] ?? '127.0.0.1',
    Language: 'chs',
    Create: beijing(bills.now()),
  });
}

/** Every `/K3API/…` call: the token, then `SO/Save`, `SO/GetList` or a base-data `GetList`. */
export function handleK3Api(
  ctx: K3WiseContext,
  req: SimRequest,
): PlatformResponse {
  const { bills } = ctx;
  const path = req.path.toLowerCase();
  if (path === '/k3api/token/create') return createToken(ctx, req);
  const match = /^\/k3api\/([^/]+)\/([^/]+)$/.exec(path);
  if (!match) return IIS_NOT_FOUND;
  const token = req.query.get('token') ?? req.query.get('Token') ?? '';
  if (!ctx.tokens.valid(token, bills.now()))
    return k3WiseAnswer(401, 'Token无效或已过期，请重新获取Token');
  const [, object, action] = match;
  const category = object ? MASTER_OBJECTS[object] : undefined;
  if (object !== 'so' && !category)
    return k3WiseAnswer(500, `对象[${object}]未开放或不存在`);
  if (req.method !== 'POST') return k3WiseAnswer(405, '请使用 POST 方法');
  if (action === 'save' && object === 'so') return save(bills, req);
  if (action === 'getlist') {
    if (category) {
      const resolvers = ctx.master.current[category].map(
        (item, i) =>
          (f: string): unknown =>
            ({ FNUMBER: item.number, FNAME: item.name, FITEMID: i + 1 })[
              f.toUpperCase()
            ] ?? null,
      );
      return getList(bills, req, resolvers, 'FNumber,FName');
    }
    const resolvers = bills.documents
      .list({ formId: FORM })
      .map((doc) => (f: string) => fieldOf(doc, f));
    return getList(bills, req, resolvers, 'FBillNo,FInterID');
  }
  return k3WiseAnswer(500, `方法[${action}]不存在`);
}
