import { createHash } from 'node:crypto';
import { jsonResponse, type PlatformResponse } from '../shared/kingdee-server';
import {
  bool,
  extractArgs,
  filterText,
  parseData,
  stringList,
} from './k3cloud-args.util';
import { findK3Form, type K3FormDef } from './k3cloud-forms';
import { executeBillQuery } from './k3cloud-query.handler';
import {
  K3_MSG,
  k3Failure,
  k3Status,
  type K3Error,
  type K3SuccessEntity,
} from './k3cloud-response.util';
import {
  getCI,
  isRecord,
  saveModel,
  type K3SaveContext,
} from './k3cloud-save.handler';

/** What the DynamicFormService handlers read and change: the Save's stores plus the repeat-package guard. */
export interface K3BillContext extends K3SaveContext {
  /** Hashes of the packages saved with ValidateRepeatJson. */
  readonly repeatPackages: Set<string>;
}

export function handleSave(
  ctx: K3BillContext,
  body: Record<string, unknown>,
  batch: boolean,
): PlatformResponse {
  const parsed = formAndData(body);
  if ('status' in parsed) return parsed;
  const { form, data } = parsed;
  const model = getCI(data, 'Model');
  if (batch ? !Array.isArray(model) || model.length === 0 : !isRecord(model)) {
    return jsonResponse(
      200,
      k3Failure(
        K3_MSG.parameterError,
        batch
          ? '参数Model不能为空，应为对象数组'
          : '参数Model不能为空，应为对象',
      ),
    );
  }
  if (bool(getCI(data, 'ValidateRepeatJson'))) {
    const hash = createHash('sha256')
      .update(`${form.formId}\u0000${JSON.stringify(data)}`)
      .digest('hex');
    if (ctx.repeatPackages.has(hash)) {
      return jsonResponse(
        200,
        k3Failure(
          K3_MSG.validationFailed,
          '检测到重复提交的数据包，本次请求未执行（ValidateRepeatJson）',
        ),
      );
    }
    ctx.repeatPackages.add(hash);
  }
  const flags = {
    autoSubmitAndAudit: bool(getCI(data, 'IsAutoSubmitAndAudit')),
    verifyBaseData: bool(getCI(data, 'IsVerifyBaseDataField')),
    needReturnFields: stringList(getCI(data, 'NeedReturnFields')),
    needUpdateFields: stringList(getCI(data, 'NeedUpDateFields')),
    isDeleteEntry:
      getCI(data, 'IsDeleteEntry') === undefined ||
      bool(getCI(data, 'IsDeleteEntry')),
  };
  const models: unknown[] = batch ? (model as unknown[]) : [model];
  const batchCount = batch
    ? Math.max(0, Math.trunc(Number(getCI(data, 'BatchCount') ?? 0)) || 0)
    : 0;
  // With BatchCount the server splits the models into BatchCount slices; DIndex restarts in each slice.
  const sliceSize =
    batchCount > 0 && models.length > batchCount
      ? Math.ceil(models.length / batchCount)
      : models.length;

  const errors: K3Error[] = [];
  const successes: K3SuccessEntity[] = [];
  const returnData: Record<string, unknown>[] = [];
  let msgCode: number = K3_MSG.default;
  models.forEach((m, index) => {
    const outcome = saveModel(ctx, form, m, index % sliceSize, flags);
    if (outcome.ok) {
      successes.push(outcome.success);
      returnData.push(outcome.returnData);
    } else {
      errors.push(...outcome.errors);
      if (msgCode === K3_MSG.default) msgCode = outcome.msgCode;
    }
  });
  const status = k3Status(errors, successes, msgCode);
  if (batch)
    return jsonResponse(200, {
      Result: { ResponseStatus: status, NeedReturnData: returnData },
    });
  const saved = successes[0];
  return jsonResponse(200, {
    Result: saved
      ? {
          ResponseStatus: status,
          Id: saved.Id,
          Number: saved.Number,
          NeedReturnData: returnData,
        }
      : { ResponseStatus: status, Id: '', NeedReturnData: [] },
  });
}

export function handleQuery(
  ctx: K3BillContext,
  body: Record<string, unknown>,
  asObjects: boolean,
): PlatformResponse {
  const args = extractArgs(body, ['data']);
  const data = parseData(args?.['data']);
  const fail = (msgCode: number, message: string): PlatformResponse =>
    jsonResponse(200, [[k3Failure(msgCode, message)]]);
  if (!data)
    return fail(
      K3_MSG.parameterError,
      '参数data格式错误：无法解析为 JSON 对象',
    );
  const formId = String(getCI(data, 'FormId') ?? '');
  if (formId === '') return fail(K3_MSG.emptyFormId, '表单Id(FormId)不能为空');
  const form = findK3Form(formId);
  if (!form)
    return fail(
      K3_MSG.exception,
      `标识为“${formId}”的业务对象不存在，或者被删除`,
    );
  const rawKeys = getCI(data, 'FieldKeys');
  const fieldKeys = (
    Array.isArray(rawKeys)
      ? rawKeys.map(String)
      : String(rawKeys ?? '').split(',')
  )
    .map((k) => k.trim())
    .filter((k) => k !== '');
  const filter = filterText(getCI(data, 'FilterString'));
  if (filter === undefined) return fail(K3_MSG.exception, '过滤条件格式错误');
  const outcome = executeBillQuery(
    form,
    {
      fieldKeys,
      filter,
      orderString: String(getCI(data, 'OrderString') ?? ''),
      topRowCount: Number(getCI(data, 'TopRowCount') ?? 0) || 0,
      startRow: Number(getCI(data, 'StartRow') ?? 0) || 0,
      limit: Number(getCI(data, 'Limit') ?? 0) || 0,
    },
    ctx.documents,
    ctx.masterData,
  );
  if (!outcome.ok) return fail(outcome.msgCode, outcome.message);
  if (!asObjects) return jsonResponse(200, outcome.rows);
  return jsonResponse(
    200,
    outcome.rows.map((row) =>
      Object.fromEntries(fieldKeys.map((key, i) => [key, row[i] ?? null])),
    ),
  );
}

/** The form and the `data` argument of a form service call, or the answer refusing them. */
function formAndData(
  body: Record<string, unknown>,
): { form: K3FormDef; data: Record<string, unknown> } | PlatformResponse {
  const args = extractArgs(body, ['formid', 'data']);
  const formId = args ? String(args['formid'] ?? '') : '';
  if (formId === '')
    return jsonResponse(
      200,
      k3Failure(K3_MSG.emptyFormId, '表单Id(FormId)不能为空'),
    );
  const form = findK3Form(formId);
  if (!form)
    return jsonResponse(
      200,
      k3Failure(
        K3_MSG.exception,
        `标识为“${formId}”的业务对象不存在，或者被删除`,
      ),
    );
  const data = parseData(args?.['data']);
  if (!data)
    return jsonResponse(
      200,
      k3Failure(
        K3_MSG.parameterError,
        '参数data格式错误：无法解析为 JSON 对象',
      ),
    );
  return { form, data };
}

export function handleView(
  ctx: K3BillContext,
  body: Record<string, unknown>,
): PlatformResponse {
  const parsed = formAndData(body);
  if ('status' in parsed) return parsed;
  const { form, data } = parsed;
  const number = getCI(data, 'Number');
  const id = Number(getCI(data, 'Id') ?? 0);
  const doc =
    number !== undefined && number !== null && number !== ''
      ? ctx.documents.findByNumber(form.formId, String(number))
      : id > 0
        ? ctx.documents.findById(form.formId, id)
        : undefined;
  if (!doc)
    return jsonResponse(
      200,
      k3Failure(K3_MSG.dataNotFound, `${form.caption}数据不存在或已被删除`),
    );
  return jsonResponse(200, {
    Result: {
      ResponseStatus: k3Status([], [], 0),
      Result: {
        ...doc.body.model,
        Id: doc.id,
        [form.numberField]: doc.billNo,
        DocumentStatus: doc.status,
      },
    },
  });
}

export function handleStateChange(
  ctx: K3BillContext,
  body: Record<string, unknown>,
  op: 'submit' | 'audit' | 'unaudit' | 'delete',
): PlatformResponse {
  const parsed = formAndData(body);
  if ('status' in parsed) return parsed;
  const { form, data } = parsed;
  const numbers = stringList(getCI(data, 'Numbers'));
  const ids = String(getCI(data, 'Ids') ?? '')
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0);
  const targets: Array<{
    label: string;
    doc: ReturnType<typeof ctx.documents.findById>;
  }> = [
    ...numbers.map((n) => ({
      label: n,
      doc: ctx.documents.findByNumber(form.formId, n),
    })),
    ...ids.map((i) => ({
      label: String(i),
      doc: ctx.documents.findById(form.formId, i),
    })),
  ];
  if (targets.length === 0)
    return jsonResponse(
      200,
      k3Failure(K3_MSG.parameterError, '参数Numbers或Ids不能同时为空'),
    );
  const errors: K3Error[] = [];
  const successes: K3SuccessEntity[] = [];
  const messages: K3Error[] = [];
  let msgCode: number = K3_MSG.default;
  const verb = {
    submit: '提交',
    audit: '审核',
    unaudit: '反审核',
    delete: '删除',
  }[op];
  targets.forEach(({ label, doc }, index) => {
    const fail = (code: number, message: string): void => {
      errors.push({ FieldName: '', Message: message, DIndex: index });
      if (msgCode === K3_MSG.default) msgCode = code;
    };
    if (!doc)
      return fail(
        K3_MSG.dataNotFound,
        `单据编号为“${label}”的${form.caption}不存在或已被删除`,
      );
    const prefix = `单据编号为“${doc.billNo}”的${form.caption}，`;
    const allowed = {
      submit: ['A', 'D'],
      audit: ['B'],
      unaudit: ['C'],
      delete: ['A', 'D'],
    }[op];
    if (!allowed.includes(doc.status)) {
      if (op === 'audit' && doc.status === 'C')
        return fail(K3_MSG.validationFailed, `${prefix}单据已经审核！`);
      return fail(
        K3_MSG.validationFailed,
        `${prefix}当前单据状态不允许${verb}！`,
      );
    }
    if (op === 'delete') ctx.documents.delete(doc);
    else doc.status = { submit: 'B', audit: 'C', unaudit: 'D' }[op];
    ctx.documents.note(doc, op, new Date(ctx.now()));
    if (form.kind === 'basedata') {
      const record = ctx.masterData.find(form.formId, doc.billNo);
      if (record && op === 'delete')
        ctx.masterData.remove(form.formId, doc.billNo);
      else if (record)
        record.status =
          doc.status === 'C' ? 'C' : doc.status === 'B' ? 'B' : 'A';
    }
    successes.push({ Id: doc.id, Number: doc.billNo, DIndex: index });
    messages.push({
      FieldName: '',
      Message: `${prefix}${verb}成功！`,
      DIndex: index,
    });
  });
  return jsonResponse(200, {
    Result: {
      ResponseStatus: k3Status(errors, successes, msgCode, messages),
      NeedReturnData: [],
    },
  });
}
