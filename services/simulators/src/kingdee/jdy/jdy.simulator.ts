import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { DocumentStore } from '../shared/document-store';
import {
  headerValue,
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
import { safeEqual } from '../../common';
import {
  CATALOG_MATERIALS,
  CATALOG_STOCKS,
  CATALOG_UNITS,
} from '../shared/source-catalog.master';
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

const materialSchema = z.object({
  id: z.string(),
  number: z.string(),
  name: z.string(),
  unitIds: z.array(z.string()).min(1),
});
const namedSchema = z.object({
  id: z.string(),
  number: z.string(),
  name: z.string(),
});
export const jdyMasterDataSchema = z.object({
  materials: z.array(materialSchema).default([]),
  units: z.array(namedSchema).default([]),
  stocks: z.array(namedSchema).default([]),
});
export type JdyMasterData = z.infer<typeof jdyMasterDataSchema>;

const BASE_MASTER: JdyMasterData = {
  units: [
    { id: '1540000000000000001', number: 'Pcs', name: '个' },
    { id: '1540000000000000002', number: 'Box', name: '盒' },
    { id: '1540000000000000003', number: 'Set', name: '套' },
  ],
  materials: [
    {
      id: '1550000000000000001',
      number: 'SKU001',
      name: '有机绿茶 250g',
      unitIds: ['1540000000000000001'],
    },
    {
      id: '1550000000000000002',
      number: 'SKU002',
      name: '龙井礼盒 500g',
      unitIds: ['1540000000000000002', '1540000000000000001'],
    },
    {
      id: '1550000000000000003',
      number: 'SKU003',
      name: '紫砂茶杯',
      unitIds: ['1540000000000000001'],
    },
    {
      id: '1550000000000000004',
      number: 'SKU004',
      name: '便携茶具套装',
      unitIds: ['1540000000000000003'],
    },
    {
      id: '1550000000000000005',
      number: 'PKG001',
      name: '包材-快递纸箱',
      unitIds: ['1540000000000000001'],
    },
  ],
  stocks: [
    { id: '1560000000000000001', number: 'CK001', name: '杭州成品仓' },
    { id: '1560000000000000002', number: 'CK002', name: '广州电商仓' },
  ],
};

const catalogUnitId = (unit: string): string =>
  `15410000000000${String(CATALOG_UNITS.indexOf(unit) + 1).padStart(5, '0')}`;

/** The fixed sample plus the source simulators' catalog (ids are deterministic). */
export const JDY_DEFAULT_MASTER_DATA: JdyMasterData = {
  units: [
    ...BASE_MASTER.units,
    ...CATALOG_UNITS.map((u) => ({ id: catalogUnitId(u), number: u, name: u })),
  ],
  materials: [
    ...BASE_MASTER.materials,
    ...CATALOG_MATERIALS.map((m, i) => ({
      id: `15510000000000${String(i + 1).padStart(5, '0')}`,
      number: m.number,
      name: m.name,
      unitIds: [catalogUnitId(m.unit)],
    })),
  ],
  stocks: CATALOG_STOCKS.map((w, i) => ({
    id: `15600000000000000${String(i + 1).padStart(2, '0')}`,
    number: w.number,
    name: w.name,
  })),
};

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

const entrySchema = z
  .object({
    id: z.string().optional(),
    material_id: z.string().optional(),
    stock_id: z.string().optional(),
    unit_id: z.string().optional(),
    qty: z.union([z.number(), z.string()]).optional(),
  })
  .passthrough();

const saveSchema = z
  .object({
    id: z.string().optional(),
    bill_no: z.string().optional(),
    bill_date: z.string().optional(),
    remark: z.string().optional(),
    operation_key: z.string().optional(),
    custom_field: z.record(z.string(), z.string()).optional(),
    material_entity: z.array(entrySchema).optional(),
  })
  .passthrough();
type JdySaveBody = z.infer<typeof saveSchema>;

export interface JdyStoredBill {
  readonly request: JdySaveBody;
  readonly billDate: string;
  readonly entries: Array<{
    id: string;
    materialId: string;
    stockId: string;
    unitId: string;
    qty: number;
  }>;
}

export interface JdySimulator extends SimServerHandle {
  readonly documents: DocumentStore<JdyStoredBill>;
  readonly options: z.infer<typeof jdySimulatorOptionsSchema>;
  masterData(): JdyMasterData;
  /** The app secret currently valid (it rotates through admin, as the real one does every 24 h). */
  appSecret(): string;
}

const FORM = 'inv_check_loss_bill';
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

  const envelope = (
    errcode: number,
    description: string,
    data: unknown = null,
  ): PlatformResponse => jsonResponse(200, { errcode, description, data });

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
      envelope(JDY_ERRCODE.systemError, '系统异常，请稍后重试'),
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
      return envelope(
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
        return envelope(JDY_ERRCODE.instanceNotFound, '未找到该实例的授权信息');
      }
      return envelope(JDY_ERRCODE.ok, 'success', [
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
        return envelope(JDY_ERRCODE.appSecretInvalid, '授权密钥校验失败');
      }
      const token = `${randomBytes(20).toString('hex')}`;
      const expires = now() + options.tokenTtlMs;
      tokens.set(token, expires);
      return envelope(JDY_ERRCODE.ok, 'success', {
        'app-token': token,
        access_token: token,
        expires,
        uid: options.accountId,
        domain: options.domain,
      });
    }

    const business = businessCheck(req);
    if (business) return business;
    if (path === LOSS_PATH && req.method === 'POST') return save(req);
    if (path === LOSS_PATH && req.method === 'GET') return list(req);
    const baseData = BASE_DATA_PATHS[path];
    if (baseData && req.method === 'GET') return listBaseData(req, baseData);
    if (path === `${LOSS_PATH}_detail` && req.method === 'GET')
      return detail(req);
    return jsonResponse(405, {
      code: 405,
      message: 'Method Not Allowed',
      details: [],
    });
  }

  function save(req: SimRequest): PlatformResponse {
    const parsed = saveSchema.safeParse(parseJsonOrUndefined(req.body));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return envelope(
        JDY_ERRCODE.validation,
        `参数格式错误：${issue ? `${issue.path.join('.')} ${issue.message}` : '请求体不是 JSON 对象'}`,
      );
    }
    const body = parsed.data;
    const problems: string[] = [];
    if (!body.bill_date || !/^\d{4}-\d{2}-\d{2}$/.test(body.bill_date))
      problems.push('单据日期(bill_date)不能为空，格式为 yyyy-MM-dd');
    const op = body.operation_key ?? '';
    if (!['', 'save', 'submit', 'audit'].includes(op))
      problems.push(`操作类型(operation_key)不支持：${op}`);
    const rows = body.material_entity ?? [];
    if (rows.length === 0) problems.push('商品分录(material_entity)不能为空');
    const entries: JdyStoredBill['entries'] = [];
    rows.forEach((row, index) => {
      const n = index + 1;
      const material = master.materials.find((m) => m.id === row.material_id);
      if (!row.material_id)
        problems.push(`第${n}行：商品(material_id)不能为空`);
      else if (!material)
        problems.push(`第${n}行：商品[${row.material_id}]不存在或已禁用`);
      if (!row.unit_id) problems.push(`第${n}行：单位(unit_id)不能为空`);
      else if (!master.units.some((u) => u.id === row.unit_id))
        problems.push(`第${n}行：单位[${row.unit_id}]不存在`);
      else if (material && !material.unitIds.includes(row.unit_id))
        problems.push(
          `第${n}行：单位[${row.unit_id}]不是商品[${material.number}]的计量单位`,
        );
      if (!row.stock_id) problems.push(`第${n}行：仓库(stock_id)不能为空`);
      else if (!master.stocks.some((s) => s.id === row.stock_id))
        problems.push(`第${n}行：仓库[${row.stock_id}]不存在或已禁用`);
      const qty = Number(row.qty);
      if (
        row.qty === undefined ||
        row.qty === '' ||
        !Number.isFinite(qty) ||
        qty <= 0
      )
        problems.push(`第${n}行：数量(qty)必须大于0`);
      entries.push({
        id: row.id ?? String(1570000000000000000n + BigInt(entrySeq++)),
        materialId: row.material_id ?? '',
        stockId: row.stock_id ?? '',
        unitId: row.unit_id ?? '',
        qty,
      });
    });
    if (problems.length > 0)
      return envelope(JDY_ERRCODE.validation, problems.join('；'));

    const existing = body.id
      ? documents.list({ formId: FORM }).find((d) => String(d.id) === body.id)
      : undefined;
    if (body.id && !existing)
      return envelope(JDY_ERRCODE.notFound, `单据[${body.id}]不存在或已删除`);
    if (existing && existing.status === 'C')
      return envelope(
        JDY_ERRCODE.validation,
        `单据[${existing.billNo}]已审核，不允许修改`,
      );
    const billNo =
      body.bill_no && body.bill_no !== ''
        ? body.bill_no
        : (existing?.billNo ?? documents.generateNumber(FORM, 'PKD'));
    const holder = documents.findByNumber(FORM, billNo);
    if (holder && holder !== existing && options.uniqueBillNo) {
      documents.noteDuplicate(FORM, billNo);
      return envelope(
        JDY_ERRCODE.validation,
        `单据编号[${billNo}]已存在，不能重复`,
      );
    }
    const status = op === 'audit' ? 'C' : op === 'submit' ? 'B' : 'A';
    const stored: JdyStoredBill = {
      request: structuredClone(body),
      billDate: body.bill_date ?? '',
      entries,
    };
    let doc;
    if (existing) {
      existing.billNo = billNo;
      existing.status = status;
      documents.update(existing, stored, new Date(now()));
      doc = existing;
    } else {
      doc = documents.insert(FORM, billNo, status, stored, new Date(now()));
    }
    const id = String(doc.id);
    return envelope(JDY_ERRCODE.ok, '成功', {
      ids: [id],
      id_number_map: { [id]: billNo },
    });
  }

  function view(
    doc: ReturnType<typeof documents.list>[number],
  ): Record<string, unknown> {
    return {
      id: String(doc.id),
      bill_no: doc.billNo,
      bill_date: doc.body.billDate,
      bill_status: doc.status,
      remark: doc.body.request.remark ?? '',
      create_time: String(Date.parse(doc.firstWrittenAt)),
      modify_time: String(Date.parse(doc.lastWrittenAt)),
      material_entity: doc.body.entries.map((e) => {
        const material = master.materials.find((m) => m.id === e.materialId);
        return {
          id: e.id,
          material_id: e.materialId,
          material_number: material?.number ?? '',
          material_name: material?.name ?? '',
          stock_id: e.stockId,
          unit_id: e.unitId,
          qty: e.qty,
        };
      }),
    };
  }

  function list(req: SimRequest): PlatformResponse {
    const search = req.query.get('search') ?? '';
    const page = Math.max(1, Number(req.query.get('page') ?? '1') || 1);
    const pageSize = Math.max(
      1,
      Number(req.query.get('page_size') ?? '10') || 10,
    );
    const all = documents
      .list({ formId: FORM })
      .filter((d) => search === '' || d.billNo.includes(search));
    const rows = all.slice((page - 1) * pageSize, page * pageSize).map(view);
    return envelope(JDY_ERRCODE.ok, 'success', {
      count: String(all.length),
      current_page: page,
      current_page_size: rows.length,
      page,
      page_size: pageSize,
      total_page: Math.ceil(all.length / pageSize),
      rows,
    });
  }

  function listBaseData(
    req: SimRequest,
    kind: keyof JdyMasterData,
  ): PlatformResponse {
    const search = req.query.get('search') ?? '';
    const page = Math.max(1, Number(req.query.get('page') ?? '1') || 1);
    const pageSize = Math.max(
      1,
      Number(req.query.get('page_size') ?? '10') || 10,
    );
    const items: Array<{
      id: string;
      number: string;
      name: string;
      unitIds?: string[];
    }> = master[kind];
    const all = items.filter(
      (item) =>
        search === '' ||
        item.number.includes(search) ||
        item.name.includes(search),
    );
    const rows = all
      .slice((page - 1) * pageSize, page * pageSize)
      .map((item) =>
        item.unitIds
          ? {
              id: item.id,
              number: item.number,
              name: item.name,
              base_unit_id: item.unitIds[0],
              unit_ids: item.unitIds,
            }
          : { id: item.id, number: item.number, name: item.name },
      );
    return envelope(JDY_ERRCODE.ok, 'success', {
      count: String(all.length),
      current_page: page,
      current_page_size: rows.length,
      page,
      page_size: pageSize,
      total_page: Math.ceil(all.length / pageSize),
      rows,
    });
  }

  function detail(req: SimRequest): PlatformResponse {
    const id = req.query.get('id');
    const number = req.query.get('number');
    if (!id && !number)
      return envelope(JDY_ERRCODE.validation, '参数 id 与 number 不能同时为空');
    const doc = id
      ? documents.list({ formId: FORM }).find((d) => String(d.id) === id)
      : documents.findByNumber(FORM, number ?? '');
    if (!doc) return envelope(JDY_ERRCODE.notFound, '单据不存在或已删除');
    return envelope(JDY_ERRCODE.ok, 'success', view(doc));
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
