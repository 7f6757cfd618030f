import type { DocumentStore } from '../shared/document-store';
import type { K3FieldGroup, K3FormDef, K3RefField } from './k3cloud-forms';
import type {
  K3MasterDataStore,
  K3MasterRecord,
} from './k3cloud-master-data.store';
import {
  K3_MSG,
  type K3Error,
  type K3SuccessEntity,
} from './k3cloud-response.util';
import { getCI, isRecord } from './k3cloud-args.util';
import { linkProblems } from './k3cloud-link.validator';
import type {
  K3StoredBill,
  K3StoredEntry,
  K3StoredValue,
} from './k3cloud-stored-bill';

export { getCI, isRecord } from './k3cloud-args.util';
export type {
  K3StoredBill,
  K3StoredEntry,
  K3StoredValue,
} from './k3cloud-stored-bill';

/** The stores and clock a Save writes through (the form service handlers' context extends it). */
export interface K3SaveContext {
  readonly documents: DocumentStore<K3StoredBill>;
  readonly masterData: K3MasterDataStore;
  /** Simulator clock (ms). */
  readonly now: () => number;
  readonly nextEntryId: () => number;
  /** false: a second bill with a used number is stored (no unique rule on the form). */
  readonly uniqueBillNo: boolean;
}

export interface K3SaveFlags {
  readonly autoSubmitAndAudit: boolean;
  /** Fields an update may change (empty = every field the Model carries). */
  readonly needUpdateFields: readonly string[];
  /** On update, drop stored entry rows the Model does not list (default true). */
  readonly isDeleteEntry: boolean;
  readonly verifyBaseData: boolean;
  readonly needReturnFields: readonly string[];
}

export type K3SaveOutcome =
  | {
      readonly ok: true;
      readonly success: K3SuccessEntity;
      readonly returnData: Record<string, unknown>;
    }
  | {
      readonly ok: false;
      readonly errors: K3Error[];
      readonly msgCode: number;
    };

interface Problem {
  readonly field: string;
  readonly message: string;
  readonly msgCode: number;
}

/** Validates and stores one Model the way K3Cloud's Save does; DIndex is stamped by the caller. */
export function saveModel(
  ctx: K3SaveContext,
  form: K3FormDef,
  rawModel: unknown,
  dIndex: number,
  flags: K3SaveFlags,
): K3SaveOutcome {
  const fail = (problems: Problem[]): K3SaveOutcome => ({
    ok: false,
    errors: problems.map((p) => ({
      FieldName: p.field,
      Message: p.message,
      DIndex: dIndex,
    })),
    msgCode: problems[0]?.msgCode ?? K3_MSG.validationFailed,
  });
  if (!isRecord(rawModel)) {
    return fail([
      {
        field: '',
        message: 'Model 数据格式不正确，应为 JSON 对象',
        msgCode: K3_MSG.parameterError,
      },
    ]);
  }
  const problems: Problem[] = [];
  const unresolvedRefs: string[] = [];

  // Update or create: a non-zero primary key addresses an existing record.
  const pkRaw = getCI(rawModel, form.pkField);
  const pk =
    pkRaw === undefined || pkRaw === null || pkRaw === '' ? 0 : Number(pkRaw);
  const existing = pk > 0 ? ctx.documents.findById(form.formId, pk) : undefined;
  if (pk > 0 && !existing) {
    return fail([
      {
        field: form.pkField,
        message: `${form.caption}数据不存在或已被删除（内码 ${pk}）`,
        msgCode: K3_MSG.dataNotFound,
      },
    ]);
  }
  if (existing && existing.status !== 'A' && existing.status !== 'D') {
    return fail([
      {
        field: '',
        message: `单据编号为“${existing.billNo}”的${form.caption}，${existing.status === 'C' ? '单据已审核' : '单据审核中'}，不允许修改！`,
        msgCode: K3_MSG.notOperable,
      },
    ]);
  }

  // An update only changes what the Model carries (limited to NeedUpDateFields when given).
  const model = existing
    ? mergeForUpdate(existing.body.model, rawModel, form, flags)
    : rawModel;

  const header: Record<string, K3StoredValue> = {};
  storeGroup(
    ctx,
    model,
    form.header,
    header,
    flags,
    problems,
    unresolvedRefs,
    (ref) => headerRequired(ref.caption),
    '',
  );
  for (const [subKey, group] of Object.entries(form.subHeads)) {
    const sub = getCI(model, subKey);
    storeGroup(
      ctx,
      isRecord(sub) ? sub : {},
      group,
      header,
      flags,
      problems,
      unresolvedRefs,
      (ref) => headerRequired(ref.caption),
      `${subKey}.`,
    );
  }
  storePlainFields(model, header, [
    form.entry?.key,
    ...Object.keys(form.subHeads),
  ]);

  const entries: K3StoredEntry[] = [];
  if (form.entry) {
    const entryDef = form.entry;
    const rows = getCI(model, entryDef.key);
    if (!Array.isArray(rows) || rows.length === 0) {
      problems.push({
        field: entryDef.key,
        message: `单据体【${entryDef.caption}】不能为空，请至少录入一行分录`,
        msgCode: K3_MSG.validationFailed,
      });
    } else {
      rows.forEach((row, index) => {
        const fields: Record<string, K3StoredValue> = {};
        const n = index + 1;
        const rowRecord = isRecord(row) ? row : {};
        storeGroup(
          ctx,
          rowRecord,
          entryDef,
          fields,
          flags,
          problems,
          unresolvedRefs,
          (ref) =>
            `单据体实体【${entryDef.caption}】第【${n}】行分录，【${ref.caption}】字段必录`,
          `${entryDef.key}[${index}].`,
        );
        storePlainFields(rowRecord, fields, []);
        problems.push(
          ...linkProblems(ctx.documents, entryDef.key, rowRecord, n),
        );
        const entryIdRaw = Number(getCI(rowRecord, 'FEntryID') ?? 0);
        entries.push({
          entryId: entryIdRaw > 0 ? entryIdRaw : ctx.nextEntryId(),
          seq: n,
          fields,
        });
      });
    }
  }

  if (problems.length > 0) return fail(problems);

  // Uniqueness is checked after field validation, at the database write.
  const givenNumber = getCI(model, form.numberField);
  const billNo =
    givenNumber !== undefined &&
    givenNumber !== null &&
    String(givenNumber) !== ''
      ? String(givenNumber)
      : (existing?.billNo ??
        ctx.documents.generateNumber(form.formId, form.numberPrefix));
  const holder = ctx.documents.findByNumber(form.formId, billNo);
  if (holder && holder !== existing && ctx.uniqueBillNo) {
    ctx.documents.noteDuplicate(form.formId, billNo);
    return fail([
      {
        field: form.numberField,
        message: `违反字段唯一性要求：编码唯一。[${billNo}]在当前系统中已经被使用。`,
        msgCode: K3_MSG.validationFailed,
      },
    ]);
  }

  const status = flags.autoSubmitAndAudit ? 'C' : (existing?.status ?? 'A');
  const storedModel = structuredClone(model);
  const storedRows = form.entry
    ? getCI(storedModel, form.entry.key)
    : undefined;
  if (form.entry && Array.isArray(storedRows)) {
    storedRows.forEach((row, i) => {
      if (isRecord(row)) setCI(row, 'FEntryID', entries[i]?.entryId ?? 0);
    });
  }
  const body: K3StoredBill = {
    model: storedModel,
    header,
    entries,
    unresolvedRefs,
  };
  const doc = ctx.documents.save(
    existing,
    form.formId,
    billNo,
    status,
    body,
    new Date(ctx.now()),
  );
  setCI(storedModel, form.pkField, doc.id);
  if (form.kind === 'basedata') {
    const name = header['FNAME'];
    ctx.masterData.upsert(form.formId, {
      number: billNo,
      name: name && !name.ref ? String(name.value) : billNo,
      status: status === 'C' ? 'C' : 'A',
      attrs: { ...header },
    });
  }

  const returnData: Record<string, unknown> = {};
  for (const key of flags.needReturnFields) {
    if (key.toUpperCase() === form.pkField.toUpperCase())
      returnData[key] = doc.id;
    else if (key.toUpperCase() === form.numberField.toUpperCase())
      returnData[key] = billNo;
    else returnData[key] = getCI(model, key) ?? null;
  }
  return {
    ok: true,
    success: { Id: doc.id, Number: billNo, DIndex: dIndex },
    returnData,
  };
}

function mergeForUpdate(
  stored: Record<string, unknown>,
  incoming: Record<string, unknown>,
  form: K3FormDef,
  flags: K3SaveFlags,
): Record<string, unknown> {
  const allowed = new Set(flags.needUpdateFields.map((f) => f.toUpperCase()));
  const takes = (key: string): boolean =>
    allowed.size === 0 ||
    allowed.has(key.toUpperCase()) ||
    key.toUpperCase() === form.pkField.toUpperCase();
  const merged: Record<string, unknown> = structuredClone(stored);
  const entryKey = form.entry?.key.toUpperCase();
  for (const [key, value] of Object.entries(incoming)) {
    if (key.toUpperCase() === entryKey) continue;
    if (takes(key)) setCI(merged, key, value);
  }
  const incomingRows = form.entry ? getCI(incoming, form.entry.key) : undefined;
  if (form.entry && Array.isArray(incomingRows)) {
    const storedRows = getCI(stored, form.entry.key);
    const previous = Array.isArray(storedRows)
      ? storedRows.filter(isRecord)
      : [];
    const idOf = (row: Record<string, unknown>): number =>
      Number(getCI(row, 'FEntryID') ?? 0);
    const incoming = incomingRows.filter(isRecord);
    const byId = new Map(
      incoming.filter((r) => idOf(r) > 0).map((r) => [idOf(r), r]),
    );
    // Stored rows keep their order: updated in place, dropped when unlisted and IsDeleteEntry.
    const rows = previous.flatMap((p) => {
      const update = byId.get(idOf(p));
      if (update) return [{ ...p, ...update }];
      return flags.isDeleteEntry ? [] : [p];
    });
    const added = incoming.filter(
      (r) => !previous.some((p) => idOf(r) > 0 && idOf(p) === idOf(r)),
    );
    setCI(merged, form.entry.key, [...rows, ...added]);
  }
  return merged;
}

function setCI(
  target: Record<string, unknown>,
  key: string,
  value: unknown,
): void {
  const upper = key.toUpperCase();
  const existing = Object.keys(target).find((k) => k.toUpperCase() === upper);
  target[existing ?? key] = value;
}

function headerRequired(caption: string): string {
  return `字段“${caption}”是必填项`;
}

function storeGroup(
  ctx: K3SaveContext,
  source: Record<string, unknown>,
  group: K3FieldGroup,
  target: Record<string, K3StoredValue>,
  flags: K3SaveFlags,
  problems: Problem[],
  unresolvedRefs: string[],
  requiredMessage: (field: { caption: string }) => string,
  pathPrefix: string,
): void {
  for (const ref of group.refs) {
    const given = getCI(source, ref.field);
    const resolution = resolveRef(ctx.masterData, ref, given);
    if (resolution.kind === 'unresolved') {
      if (flags.verifyBaseData) {
        problems.push({
          field: ref.field,
          message: `字段“${ref.caption}”的值“${resolution.display}”在基础资料中不存在，或未审核、已禁用`,
          msgCode: K3_MSG.fieldNotExist,
        });
        continue;
      }
      // Unverified: an unresolvable number silently becomes an empty value.
      unresolvedRefs.push(`${pathPrefix}${ref.field}`);
    }
    if (resolution.kind === 'resolved') {
      const r = resolution.record;
      target[ref.field.toUpperCase()] = {
        ref: true,
        id: r.id,
        number: r.number,
        name: r.name,
        given,
      };
    } else {
      target[ref.field.toUpperCase()] = {
        ref: true,
        id: 0,
        number: null,
        name: null,
        given,
      };
      if (ref.required)
        problems.push({
          field: ref.field,
          message: requiredMessage(ref),
          msgCode: K3_MSG.validationFailed,
        });
    }
  }
  for (const scalar of group.scalars) {
    const given = getCI(source, scalar.field);
    target[scalar.field.toUpperCase()] = { ref: false, value: given ?? null };
    if (!scalar.required) continue;
    if (given === undefined || given === null || String(given).trim() === '') {
      problems.push({
        field: scalar.field,
        message: requiredMessage(scalar),
        msgCode: K3_MSG.validationFailed,
      });
    } else if (scalar.kind === 'numeric') {
      const value = Number(given);
      if (!Number.isFinite(value) || typeof given === 'boolean') {
        problems.push({
          field: scalar.field,
          message: `字段“${scalar.caption}”的值“${String(given)}”不是有效的数值`,
          msgCode: K3_MSG.validationFailed,
        });
      } else if (value === 0) {
        problems.push({
          field: scalar.field,
          message: requiredMessage(scalar),
          msgCode: K3_MSG.validationFailed,
        });
      }
    } else if (scalar.kind === 'date' && !isK3Date(given)) {
      problems.push({
        field: scalar.field,
        message: `字段“${scalar.caption}”的值“${String(given)}”不是有效的日期`,
        msgCode: K3_MSG.validationFailed,
      });
    }
  }
}

/** Keeps every other field of the model as a plain value so queries can read it back. */
function storePlainFields(
  source: Record<string, unknown>,
  target: Record<string, K3StoredValue>,
  skip: Array<string | undefined>,
): void {
  const skipped = new Set(
    skip
      .filter((s): s is string => s !== undefined)
      .map((s) => s.toUpperCase()),
  );
  for (const [key, value] of Object.entries(source)) {
    const upper = key.toUpperCase();
    if (skipped.has(upper) || upper in target || Array.isArray(value)) continue;
    target[upper] = { ref: false, value };
  }
}

type RefResolution =
  | { kind: 'empty' }
  | { kind: 'resolved'; record: K3MasterRecord }
  | { kind: 'unresolved'; display: string };

function resolveRef(
  master: K3MasterDataStore,
  ref: K3RefField,
  given: unknown,
): RefResolution {
  const lookup = (
    record: K3MasterRecord | undefined,
    display: string,
  ): RefResolution =>
    record ? { kind: 'resolved', record } : { kind: 'unresolved', display };
  if (given === undefined || given === null || given === '')
    return { kind: 'empty' };
  if (typeof given === 'number') {
    if (given === 0) return { kind: 'empty' };
    return lookup(master.usableById(ref.refForm, given), String(given));
  }
  if (isRecord(given)) {
    const number = getCI(given, 'FNumber');
    if (number !== undefined && number !== null && number !== '')
      return lookup(master.usable(ref.refForm, String(number)), String(number));
    const name = getCI(given, 'FName');
    if (name !== undefined && name !== null && name !== '')
      return lookup(
        master.usableByName(ref.refForm, String(name)),
        String(name),
      );
    return Object.keys(given).length === 0
      ? { kind: 'empty' }
      : { kind: 'unresolved', display: JSON.stringify(given) };
  }
  // A bare string is read as an internal id, so a number code sent without {FNumber} does not resolve.
  if (typeof given === 'string' && /^\d+$/.test(given))
    return lookup(master.usableById(ref.refForm, Number(given)), given);
  return { kind: 'unresolved', display: String(given) };
}

function isK3Date(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const match =
    /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/.exec(
      value.trim(),
    );
  if (!match) return false;
  const month = Number(match[2]);
  const day = Number(match[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}
