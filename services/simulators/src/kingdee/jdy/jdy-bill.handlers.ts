import { z } from 'zod';
import type { DocumentStore } from '../shared/document-store';
import {
  envelopeAnswer,
  parseJsonOrUndefined,
  type PlatformResponse,
  type SimRequest,
} from '../shared/kingdee-server';
import { JDY_ERRCODE } from '@kingbridge/sink-kingdee-client/protocol';
import type { JdyMasterData } from './jdy-master-data';

export const FORM = 'inv_check_loss_bill';

/** The `{errcode, description, data}` envelope of every JDY business answer (HTTP 200). */
export const jdyEnvelope = envelopeAnswer(['errcode', 'description', 'data']);

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

/** What the 盘亏单 handlers read and change. */
export interface JdyBillContext {
  readonly documents: DocumentStore<JdyStoredBill>;
  master(): JdyMasterData;
  nextEntrySeq(): number;
  readonly now: () => number;
  readonly uniqueBillNo: boolean;
}

export function save(ctx: JdyBillContext, req: SimRequest): PlatformResponse {
  const parsed = saveSchema.safeParse(parseJsonOrUndefined(req.body));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return jdyEnvelope(
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
    const material = ctx
      .master()
      .materials.find((m) => m.id === row.material_id);
    if (!row.material_id) problems.push(`第${n}行：商品(material_id)不能为空`);
    else if (!material)
      problems.push(`第${n}行：商品[${row.material_id}]不存在或已禁用`);
    if (!row.unit_id) problems.push(`第${n}行：单位(unit_id)不能为空`);
    else if (!ctx.master().units.some((u) => u.id === row.unit_id))
      problems.push(`第${n}行：单位[${row.unit_id}]不存在`);
    else if (material && !material.unitIds.includes(row.unit_id))
      problems.push(
        `第${n}行：单位[${row.unit_id}]不是商品[${material.number}]的计量单位`,
      );
    if (!row.stock_id) problems.push(`第${n}行：仓库(stock_id)不能为空`);
    else if (!ctx.master().stocks.some((s) => s.id === row.stock_id))
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
      id: row.id ?? String(1570000000000000000n + BigInt(ctx.nextEntrySeq())),
      materialId: row.material_id ?? '',
      stockId: row.stock_id ?? '',
      unitId: row.unit_id ?? '',
      qty,
    });
  });
  if (problems.length > 0)
    return jdyEnvelope(JDY_ERRCODE.validation, problems.join('；'));

  const existing = body.id
    ? ctx.documents.list({ formId: FORM }).find((d) => String(d.id) === body.id)
    : undefined;
  if (body.id && !existing)
    return jdyEnvelope(JDY_ERRCODE.notFound, `单据[${body.id}]不存在或已删除`);
  if (existing && existing.status === 'C')
    return jdyEnvelope(
      JDY_ERRCODE.validation,
      `单据[${existing.billNo}]已审核，不允许修改`,
    );
  const billNo =
    body.bill_no && body.bill_no !== ''
      ? body.bill_no
      : (existing?.billNo ?? ctx.documents.generateNumber(FORM, 'PKD'));
  const holder = ctx.documents.findByNumber(FORM, billNo);
  if (holder && holder !== existing && ctx.uniqueBillNo) {
    ctx.documents.noteDuplicate(FORM, billNo);
    return jdyEnvelope(
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
  const doc = ctx.documents.save(
    existing,
    FORM,
    billNo,
    status,
    stored,
    new Date(ctx.now()),
  );
  const id = String(doc.id);
  return jdyEnvelope(JDY_ERRCODE.ok, '成功', {
    ids: [id],
    id_number_map: { [id]: billNo },
  });
}

function view(
  ctx: JdyBillContext,

  doc: ReturnType<typeof ctx.documents.list>[number],
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
      const material = ctx
        .master()
        .materials.find((m) => m.id === e.materialId);
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

export function list(ctx: JdyBillContext, req: SimRequest): PlatformResponse {
  const search = req.query.get('search') ?? '';
  const { page, pageSize } = pageOf(req);
  const all = ctx.documents
    .list({ formId: FORM })
    .filter((d) => search === '' || d.billNo.includes(search));
  const rows = all
    .slice((page - 1) * pageSize, page * pageSize)
    .map((doc) => view(ctx, doc));
  return pageAnswer(all.length, page, pageSize, rows);
}

export function listBaseData(
  ctx: JdyBillContext,

  req: SimRequest,
  kind: keyof JdyMasterData,
): PlatformResponse {
  const search = req.query.get('search') ?? '';
  const { page, pageSize } = pageOf(req);
  const items: Array<{
    id: string;
    number: string;
    name: string;
    unitIds?: string[];
  }> = ctx.master()[kind];
  const all = items.filter(
    (item) =>
      search === '' ||
      item.number.includes(search) ||
      item.name.includes(search),
  );
  const rows = all.slice((page - 1) * pageSize, page * pageSize).map((item) =>
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
  return pageAnswer(all.length, page, pageSize, rows);
}

export function detail(ctx: JdyBillContext, req: SimRequest): PlatformResponse {
  const id = req.query.get('id');
  const number = req.query.get('number');
  if (!id && !number)
    return jdyEnvelope(
      JDY_ERRCODE.validation,
      '参数 id 与 number 不能同时为空',
    );
  const doc = id
    ? ctx.documents.list({ formId: FORM }).find((d) => String(d.id) === id)
    : ctx.documents.findByNumber(FORM, number ?? '');
  if (!doc) return jdyEnvelope(JDY_ERRCODE.notFound, '单据不存在或已删除');
  return jdyEnvelope(JDY_ERRCODE.ok, 'success', view(ctx, doc));
}

/** `page` (1-based) and `page_size` (default 10) of a list call. */
function pageOf(req: SimRequest): { page: number; pageSize: number } {
  return {
    page: Math.max(1, Number(req.query.get('page') ?? '1') || 1),
    pageSize: Math.max(1, Number(req.query.get('page_size') ?? '10') || 10),
  };
}

/** One page of a list answer. */
function pageAnswer(
  total: number,
  page: number,
  pageSize: number,
  rows: unknown[],
): PlatformResponse {
  return jdyEnvelope(JDY_ERRCODE.ok, 'success', {
    count: String(total),
    current_page: page,
    current_page_size: rows.length,
    page,
    page_size: pageSize,
    total_page: Math.ceil(total / pageSize),
    rows,
  });
}
