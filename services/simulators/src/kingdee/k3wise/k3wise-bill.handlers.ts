import { z } from 'zod';
import type { DocumentStore, StoredDocument } from '../shared/document-store';
import {
  envelopeAnswer,
  parseJsonOrUndefined,
  type PlatformResponse,
  type SimRequest,
} from '../shared/kingdee-server';
import {
  evaluateFilter,
  FilterSyntaxError,
  parseFilter,
} from '../k3cloud/k3cloud-filter.parser';
import type { K3WiseCategory, K3WiseMasterData } from './k3wise-master-data';

export const FORM = 'SO';

/** `{StatusCode, Message, Data}`: the envelope of every K3API answer (HTTP 200). */
export const k3WiseAnswer = envelopeAnswer(['StatusCode', 'Message', 'Data']);

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

/** What the SO handlers read and change. */
export interface K3WiseBillContext {
  readonly documents: DocumentStore<K3WiseStoredBill>;
  master(): K3WiseMasterData;
  readonly now: () => number;
  readonly uniqueBillNo: boolean;
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
  ctx: K3WiseBillContext,
  category: K3WiseCategory,
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
  if (!ctx.master()[category].some((item) => item.number === number))
    problems.push(`${where}${caption}代码[${number}]不存在`);
}

export function save(
  ctx: K3WiseBillContext,
  req: SimRequest,
): PlatformResponse {
  const parsed = saveBodySchema.safeParse(parseJsonOrUndefined(req.body));
  if (!parsed.success)
    return k3WiseAnswer(
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
  checkRef(
    ctx,
    'customers',
    '购货单位',
    page1['FCustID'],
    true,
    '表头',
    problems,
  );
  checkRef(
    ctx,
    'currencies',
    '币别',
    page1['FCurrencyID'],
    false,
    '表头',
    problems,
  );
  checkRef(
    ctx,
    'departments',
    '部门',
    page1['FDeptID'],
    false,
    '表头',
    problems,
  );
  checkRef(
    ctx,
    'employees',
    '业务员',
    page1['FEmpID'],
    false,
    '表头',
    problems,
  );
  const rate = page1['FExchangeRate'];
  if (rate !== undefined && !(Number(rate) > 0))
    problems.push(`表头汇率(FExchangeRate)[${String(rate)}]必须大于0`);
  page2.forEach((row, index) => {
    const where = `第${index + 1}行`;
    checkRef(ctx, 'materials', '物料', row['FItemID'], true, where, problems);
    checkRef(ctx, 'units', '单位', row['FUnitID'], false, where, problems);
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
    return k3WiseAnswer(500, `保存失败：${problems.join('；')}`);

  const given = page1['FBillNo'];
  const billNo =
    typeof given === 'string' && given !== ''
      ? given
      : ctx.documents.generateNumber(FORM, 'SEORD');
  if (ctx.documents.findByNumber(FORM, billNo) && ctx.uniqueBillNo) {
    ctx.documents.noteDuplicate(FORM, billNo);
    return k3WiseAnswer(500, `保存失败：单据号[${billNo}]已经存在，不能重复`);
  }
  const doc = ctx.documents.insert(
    FORM,
    billNo,
    '0',
    { page1: structuredClone(page1), page2: structuredClone(page2) },
    new Date(ctx.now()),
  );
  return k3WiseAnswer(200, `保存成功！单据号：${billNo}`, {
    FBillNo: billNo,
    FInterID: doc.id,
  });
}

export function fieldOf(
  doc: StoredDocument<K3WiseStoredBill>,
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

export function getList(
  ctx: K3WiseBillContext,

  req: SimRequest,
  source: Array<(field: string) => unknown>,
  defaultFields: string,
): PlatformResponse {
  const parsed = listBodySchema.safeParse(parseJsonOrUndefined(req.body));
  if (!parsed.success)
    return k3WiseAnswer(500, '数据格式错误：请求体应为 {"Data":{…}}');
  const q = parsed.data.Data;
  let filter;
  try {
    filter = parseFilter(q.Filter ?? '');
  } catch (err) {
    return k3WiseAnswer(
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
  return k3WiseAnswer(200, '成功', {
    PageIndex: pageIndex,
    PageSize: pageSize,
    PageCount: Math.ceil(rows.length / pageSize),
    Total: rows.length,
    DATA: page.map((resolve) =>
      Object.fromEntries(fields.map((f) => [f, resolve(f)])),
    ),
  });
}
