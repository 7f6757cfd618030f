import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { DocumentStore } from '../shared/document-store';
import { XIAOMAN_SAMPLE_PRODUCT } from '../../sources/xiaoman/xiaoman-data';
import {
  CATALOG_CRM_CUSTOMERS,
  CATALOG_MATERIALS,
} from '../shared/source-catalog.master';
import {
  jsonResponse,
  parseJsonOrUndefined,
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
import {
  evaluateFilter,
  FilterSyntaxError,
  parseFilter,
} from '../k3cloud/k3cloud-filter.parser';

const itemSchema = z.object({ number: z.string().min(1), name: z.string() });
export const k3WiseMasterDataSchema = z.object({
  customers: z.array(itemSchema).default([]),
  materials: z.array(itemSchema).default([]),
  units: z.array(itemSchema).default([]),
  currencies: z.array(itemSchema).default([]),
  departments: z.array(itemSchema).default([]),
  employees: z.array(itemSchema).default([]),
});
export type K3WiseMasterData = z.infer<typeof k3WiseMasterDataSchema>;
type Category = keyof K3WiseMasterData;

const DEFAULT_MASTER: K3WiseMasterData = {
  customers: [
    ...CATALOG_CRM_CUSTOMERS,
    { number: '01.001', name: '上海茗远贸易有限公司' },
    { number: '01.002', name: 'Green Leaf Trading LLC' },
    { number: '01.003', name: '深圳市香茗进出口有限公司' },
  ],
  materials: [
    ...CATALOG_MATERIALS.map((m) => ({ number: m.number, name: m.name })),
    { ...XIAOMAN_SAMPLE_PRODUCT },
    { number: '1.01.001', name: '有机绿茶 250g' },
    { number: '1.01.002', name: '龙井礼盒 500g' },
    { number: '1.02.001', name: '紫砂茶杯' },
    { number: '1.03.001', name: '便携茶具套装' },
  ],
  units: [
    { number: 'Pcs', name: '个' },
    { number: 'Box', name: '盒' },
  ],
  currencies: [
    { number: 'RMB', name: '人民币' },
    { number: 'USD', name: '美元' },
    { number: 'EUR', name: '欧元' },
    { number: 'GBP', name: '英镑' },
    { number: 'CNY', name: '人民币(CNY)' },
  ],
  departments: [{ number: '02', name: '外贸部' }],
  employees: [{ number: '001', name: '王芳' }],
};

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

const saveBodySchema = z.object({
  Data: z
    .object({
      Page1: z.array(z.record(z.string(), z.unknown())).min(1),
      Page2: z.array(z.record(z.string(), z.unknown())).min(1),
    })
    .passthrough(),
});

const listBodySchema = z.object({
  Data: z
    .object({
      Top: z.union([z.string(), z.number()]).optional(),
      PageSize: z.union([z.string(), z.number()]).optional(),
      PageIndex: z.union([z.string(), z.number()]).optional(),
      Fields: z.string().optional(),
      Filter: z.string().optional(),
      OrderBy: z.string().optional(),
    })
    .passthrough(),
});

export interface K3WiseStoredBill {
  readonly page1: Record<string, unknown>;
  readonly page2: Record<string, unknown>[];
}

export interface K3WiseSimulator extends SimServerHandle {
  readonly documents: DocumentStore<K3WiseStoredBill>;
  readonly options: z.infer<typeof k3WiseSimulatorOptionsSchema>;
  masterData(): K3WiseMasterData;
}

const FORM = 'SO';
/** Base-data objects readable through `/K3API/<Object>/GetList`. */
const MASTER_OBJECTS: Record<string, Category> = {
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
  const initialMaster = options.masterData ?? DEFAULT_MASTER;
  let master: K3WiseMasterData = structuredClone(initialMaster);
  const tokens = new Map<string, number>();

  const answer = (
    statusCode: number,
    message: string,
    data: unknown = null,
  ): PlatformResponse =>
    jsonResponse(200, { StatusCode: statusCode, Message: message, Data: data });

  const behaviour: PlatformBehaviour = {
    name: 'k3wise',
    handle: async (req) => handle(req),
    overLimit: () =>
      jsonResponse(503, {
        StatusCode: 503,
        Message: '服务器繁忙，当前并发请求过多，请稍后重试',
        Data: null,
      }),
    injectedError: () => answer(500, '保存失败：数据库操作超时，事务已回滚'),
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
      if (req.method !== 'GET') return answer(405, '请使用 GET 方法获取 Token');
      if (req.query.get('authorityCode') !== options.authorityCode)
        return answer(401, '授权码(authorityCode)无效或已停用');
      const token = randomBytes(16).toString('hex').toUpperCase();
      tokens.set(token, now() + options.tokenTtlMs);
      return answer(200, '获取Token成功', {
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
      return answer(401, 'Token无效或已过期，请重新获取Token');
    }
    const [, object, action] = match;
    const category = object ? MASTER_OBJECTS[object] : undefined;
    if (object !== 'so' && !category)
      return answer(500, `对象[${object}]未开放或不存在`);
    if (req.method !== 'POST') return answer(405, '请使用 POST 方法');
    if (action === 'save' && object === 'so') return save(req);
    if (action === 'getlist') {
      if (category) {
        const resolvers = master[category].map(
          (item, i) =>
            (f: string): unknown =>
              ({ FNUMBER: item.number, FNAME: item.name, FITEMID: i + 1 })[
                f.toUpperCase()
              ] ?? null,
        );
        return getList(req, resolvers, 'FNumber,FName');
      }
      const resolvers = documents
        .list({ formId: FORM })
        .map((doc) => (f: string) => fieldOf(doc, f));
      return getList(req, resolvers, 'FBillNo,FInterID');
    }
    return answer(500, `方法[${action}]不存在`);
  }

  function refNumber(value: unknown): string | undefined {
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value === 'object' && !Array.isArray(value)) {
      const n =
        (value as Record<string, unknown>)['FNumber'] ??
        (value as Record<string, unknown>)['FNUMBER'];
      return n === undefined || n === null || n === '' ? undefined : String(n);
    }
    return String(value);
  }

  function checkRef(
    category: Category,
    caption: string,
    value: unknown,
    required: boolean,
    where: string,
    problems: string[],
  ): void {
    const number = refNumber(value);
    if (number === undefined) {
      if (required) problems.push(`${where}${caption}不能为空`);
      return;
    }
    if (!master[category].some((item) => item.number === number))
      problems.push(`${where}${caption}代码[${number}]不存在`);
  }

  function save(req: SimRequest): PlatformResponse {
    const parsed = saveBodySchema.safeParse(parseJsonOrUndefined(req.body));
    if (!parsed.success)
      return answer(
        500,
        '数据格式错误：请求体应为 {"Data":{"Page1":[{…}],"Page2":[{…}]}}',
      );
    const page1 = parsed.data.Data.Page1[0] ?? {};
    const page2 = parsed.data.Data.Page2;
    const problems: string[] = [];
    const date = page1['Fdate'] ?? page1['FDate'];
    if (
      typeof date !== 'string' ||
      !/^\d{4}-\d{1,2}-\d{1,2}( \d{1,2}:\d{2}(:\d{2})?)?$/.test(date.trim())
    )
      problems.push('表头日期(Fdate)不能为空或格式不正确');
    checkRef('customers', '购货单位', page1['FCustID'], true, '表头', problems);
    checkRef(
      'currencies',
      '币别',
      page1['FCurrencyID'],
      false,
      '表头',
      problems,
    );
    checkRef('departments', '部门', page1['FDeptID'], false, '表头', problems);
    checkRef('employees', '业务员', page1['FEmpID'], false, '表头', problems);
    const rate = page1['FExchangeRate'];
    if (rate !== undefined && !(Number(rate) > 0))
      problems.push(`表头汇率(FExchangeRate)[${String(rate)}]必须大于0`);
    page2.forEach((row, index) => {
      const where = `第${index + 1}行`;
      checkRef('materials', '物料', row['FItemID'], true, where, problems);
      checkRef('units', '单位', row['FUnitID'], false, where, problems);
      const qty = Number(row['FAuxQty'] ?? row['FQty']);
      if (!Number.isFinite(qty) || qty <= 0)
        problems.push(`${where}数量(FAuxQty)必须大于0`);
      const price = row['FAuxTaxPrice'];
      if (price !== undefined && price !== '' && !(Number(price) >= 0))
        problems.push(
          `${where}含税单价(FAuxTaxPrice)[${String(price)}]不是有效数值`,
        );
    });
    if (problems.length > 0)
      return answer(500, `保存失败：${problems.join('；')}`);

    const given = page1['FBillNo'];
    const billNo =
      typeof given === 'string' && given !== ''
        ? given
        : documents.generateNumber(FORM, 'SEORD');
    if (documents.findByNumber(FORM, billNo) && options.uniqueBillNo) {
      documents.noteDuplicate(FORM, billNo);
      return answer(500, `保存失败：单据号[${billNo}]已经存在，不能重复`);
    }
    const doc = documents.insert(
      FORM,
      billNo,
      '0',
      { page1: structuredClone(page1), page2: structuredClone(page2) },
      new Date(now()),
    );
    return answer(200, `保存成功！单据号：${billNo}`, {
      FBillNo: billNo,
      FInterID: doc.id,
    });
  }

  function fieldOf(
    doc: ReturnType<typeof documents.list>[number],
    field: string,
  ): unknown {
    const key = field.toUpperCase();
    if (key === 'FBILLNO') return doc.billNo;
    if (key === 'FINTERID') return doc.id;
    const entry = Object.entries(doc.body.page1).find(
      ([k]) => k.toUpperCase() === key,
    );
    if (!entry) return null;
    const value = entry[1];
    return typeof value === 'object' && value !== null
      ? (refNumber(value) ?? null)
      : value;
  }

  function getList(
    req: SimRequest,
    source: Array<(field: string) => unknown>,
    defaultFields: string,
  ): PlatformResponse {
    const parsed = listBodySchema.safeParse(parseJsonOrUndefined(req.body));
    if (!parsed.success)
      return answer(500, '数据格式错误：请求体应为 {"Data":{…}}');
    const q = parsed.data.Data;
    let filter;
    try {
      filter = parseFilter(q.Filter ?? '');
    } catch (err) {
      return answer(
        500,
        `过滤条件错误：${err instanceof FilterSyntaxError ? err.message : String(err)}`,
      );
    }
    const fields = (q.Fields ?? defaultFields)
      .split(',')
      .map((f) => f.trim())
      .filter(Boolean);
    const top = Number(q.Top ?? 0) || 0;
    const pageSize = Math.max(1, Number(q.PageSize ?? 10) || 10);
    const pageIndex = Math.max(1, Number(q.PageIndex ?? 1) || 1);
    let rows = source.filter((resolve) => evaluateFilter(filter, resolve));
    if (top > 0) rows = rows.slice(0, top);
    const page = rows.slice((pageIndex - 1) * pageSize, pageIndex * pageSize);
    return answer(200, '成功', {
      PageIndex: pageIndex,
      PageSize: pageSize,
      PageCount: Math.ceil(rows.length / pageSize),
      Total: rows.length,
      DATA: page.map((resolve) =>
        Object.fromEntries(fields.map((f) => [f, resolve(f)])),
      ),
    });
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
          for (const category of Object.keys(next) as Category[]) {
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
