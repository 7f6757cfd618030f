import type { DocumentStore, StoredDocument } from '../shared/document-store';
import {
  evaluateFilter,
  filterFields,
  FilterSyntaxError,
  parseFilter,
  type FilterExpr,
} from './k3cloud-filter.parser';
import type { K3FormDef } from './k3cloud-forms';
import type {
  K3MasterDataStore,
  K3MasterRecord,
} from './k3cloud-master-data.store';
import { K3_MSG } from './k3cloud-response.util';
import {
  getCI,
  isRecord,
  type K3StoredBill,
  type K3StoredValue,
} from './k3cloud-save.handler';

export interface K3QueryRequest {
  readonly fieldKeys: string[];
  readonly filter: string;
  readonly orderString: string;
  readonly topRowCount: number;
  readonly startRow: number;
  readonly limit: number;
}

export type K3QueryOutcome =
  | { ok: true; rows: unknown[][] }
  | { ok: false; msgCode: number; message: string };

type Resolver = (field: string) => unknown;

const DEFAULT_LIMIT = 2000;
const MAX_LIMIT = 10000;

/** ExecuteBillQuery over stored bills or master data; rows come back as arrays in FieldKeys order. */
export function executeBillQuery(
  form: K3FormDef,
  query: K3QueryRequest,
  documents: DocumentStore<K3StoredBill>,
  master: K3MasterDataStore,
): K3QueryOutcome {
  if (query.fieldKeys.length === 0)
    return {
      ok: false,
      msgCode: K3_MSG.parameterError,
      message: '参数FieldKeys不能为空',
    };
  let filter;
  try {
    filter = parseFilter(query.filter);
  } catch (err) {
    const reason = err instanceof FilterSyntaxError ? err.message : String(err);
    return {
      ok: false,
      msgCode: K3_MSG.exception,
      message: `过滤条件语法错误：${query.filter}（${reason}）`,
    };
  }
  const orderKeys = parseOrder(query.orderString);
  const referenced = [
    ...query.fieldKeys,
    ...filterFields(filter),
    ...orderKeys.map((o) => o.field),
  ];

  let resolvers: Resolver[];
  if (form.kind === 'bill') {
    let everyDoc: StoredDocument<K3StoredBill>[] | undefined;
    const allDocs = (): StoredDocument<K3StoredBill>[] =>
      (everyDoc ??= documents.list({ formId: form.formId }));
    const docs = indexedCandidates(form, filter, documents) ?? allDocs();
    const entryLevel = (field: string): boolean =>
      billFieldPlace(form, allDocs, field) === 'entry';
    const unknown = unknownField(
      referenced,
      (field) => billFieldPlace(form, allDocs, field) !== undefined,
    );
    if (unknown) return unknown;
    const expand = referenced.some(entryLevel);
    resolvers = docs.flatMap((doc) =>
      expand
        ? doc.body.entries.map(
            (_entry, index): Resolver =>
              (field) =>
                resolveBill(form, doc, index, field),
          )
        : [(field: string) => resolveBill(form, doc, undefined, field)],
    );
  } else {
    const records = master.list(form.formId);
    const unknown = unknownField(referenced, (field) =>
      isKnownMasterField(form, records, field),
    );
    if (unknown) return unknown;
    resolvers = records.map(
      (record): Resolver =>
        (field) =>
          resolveMaster(form, record, field),
    );
  }

  const plain = (resolve: Resolver) => (field: string) =>
    resolve(field) ?? null;
  let matched = resolvers.filter((resolve) =>
    evaluateFilter(filter, plain(resolve)),
  );
  if (orderKeys.length > 0) {
    matched = [...matched].sort((a, b) => {
      for (const key of orderKeys) {
        const diff = compareValues(plain(a)(key.field), plain(b)(key.field));
        if (diff !== 0) return key.desc ? -diff : diff;
      }
      return 0;
    });
  }
  let limit =
    query.limit > 0 ? Math.min(query.limit, MAX_LIMIT) : DEFAULT_LIMIT;
  if (query.topRowCount > 0) limit = Math.min(limit, query.topRowCount);
  const page = matched.slice(query.startRow, query.startRow + limit);
  return {
    ok: true,
    rows: page.map((resolve) =>
      query.fieldKeys.map((field) => plain(resolve)(field)),
    ),
  };
}

/** The refusal for the first referenced field the form does not have, or undefined. */
function unknownField(
  referenced: readonly string[],
  isKnown: (field: string) => boolean,
): K3QueryOutcome | undefined {
  const field = referenced.find((f) => !isKnown(f));
  return field === undefined
    ? undefined
    : {
        ok: false,
        msgCode: K3_MSG.fieldNotExist,
        message: `元数据中标识为${baseName(field)}的字段不存在`,
      };
}

function baseName(field: string): string {
  const dot = field.indexOf('.');
  return dot >= 0 ? field.slice(0, dot) : field;
}

function splitField(field: string): { base: string; sub: string | undefined } {
  const dot = field.indexOf('.');
  return dot >= 0
    ? {
        base: field.slice(0, dot).toUpperCase(),
        sub: field.slice(dot + 1).toUpperCase(),
      }
    : { base: field.toUpperCase(), sub: undefined };
}

function entrySpecial(form: K3FormDef, base: string): 'id' | 'seq' | undefined {
  const key = form.entry?.key.toUpperCase();
  if (!key) return undefined;
  if (base === `${key}_FENTRYID`) return 'id';
  if (base === `${key}_FSEQ`) return 'seq';
  return undefined;
}

function headerSpecial(form: K3FormDef, base: string): boolean {
  return [
    form.pkField.toUpperCase(),
    form.numberField.toUpperCase(),
    'FDOCUMENTSTATUS',
    'FCREATEDATE',
    'FMODIFYDATE',
    'FID',
  ].includes(base);
}

function defFields(form: K3FormDef, where: 'header' | 'entry'): Set<string> {
  const names = new Set<string>();
  if (where === 'header') {
    for (const group of [form.header, ...Object.values(form.subHeads)]) {
      for (const f of [...group.refs, ...group.scalars])
        names.add(f.field.toUpperCase());
    }
    for (const f of form.extraFields) names.add(f.toUpperCase());
  } else if (form.entry) {
    for (const f of [...form.entry.refs, ...form.entry.scalars])
      names.add(f.field.toUpperCase());
  }
  return names;
}

/**
 * Where a bill field lives: header or entry by the form's specials and definitions, else by the stored
 * bills (entry only when no header carries it); undefined when the form does not know it.
 */
function billFieldPlace(
  form: K3FormDef,
  allDocs: () => StoredDocument<K3StoredBill>[],
  field: string,
): 'header' | 'entry' | undefined {
  const { base } = splitField(field);
  if (entrySpecial(form, base)) return 'entry';
  if (headerSpecial(form, base) || defFields(form, 'header').has(base))
    return 'header';
  if (defFields(form, 'entry').has(base)) return 'entry';
  const docs = allDocs();
  if (docs.some((doc) => base in doc.body.header)) return 'header';
  return docs.some((doc) =>
    doc.body.entries.some((entry) => base in entry.fields),
  )
    ? 'entry'
    : undefined;
}

/**
 * Documents a filter can only match, from the bill-number / id index: an equality or IN on the number
 * field or the primary key (possibly inside an AND). Undefined when the filter needs a full scan.
 */
function indexedCandidates(
  form: K3FormDef,
  filter: FilterExpr | undefined,
  documents: DocumentStore<K3StoredBill>,
): StoredDocument<K3StoredBill>[] | undefined {
  const keys = indexKeys(form, filter);
  if (!keys) return undefined;
  const found = keys.values.map((v) =>
    keys.kind === 'number'
      ? documents.findByNumber(form.formId, String(v))
      : documents.findById(form.formId, Number(v)),
  );
  return [
    ...new Set(
      found.filter((d): d is StoredDocument<K3StoredBill> => d !== undefined),
    ),
  ];
}

function indexKeys(
  form: K3FormDef,
  expr: FilterExpr | undefined,
): { kind: 'number' | 'id'; values: Array<string | number> } | undefined {
  if (!expr) return undefined;
  const kindOf = (name: string): 'number' | 'id' | undefined => {
    const upper = name.toUpperCase();
    if (upper === form.numberField.toUpperCase()) return 'number';
    if (upper === form.pkField.toUpperCase() || upper === 'FID') return 'id';
    return undefined;
  };
  if (expr.kind === 'and')
    return indexKeys(form, expr.left) ?? indexKeys(form, expr.right);
  if (expr.kind === 'cmp' && expr.op === '=') {
    const [field, literal] =
      expr.left.kind === 'field'
        ? [expr.left, expr.right]
        : [expr.right, expr.left];
    const kind = field.kind === 'field' ? kindOf(field.name) : undefined;
    if (kind && literal.kind === 'literal')
      return { kind, values: [literal.value] };
  }
  if (expr.kind === 'in' && !expr.negated && expr.operand.kind === 'field') {
    const kind = kindOf(expr.operand.name);
    if (kind && expr.values.every((v) => v.kind === 'literal')) {
      return {
        kind,
        values: expr.values.map((v) => (v.kind === 'literal' ? v.value : '')),
      };
    }
  }
  return undefined;
}

function storedValue(
  value: K3StoredValue | undefined,
  sub: string | undefined,
): unknown {
  if (!value) return null;
  if (value.ref) {
    if (sub === 'FNUMBER') return value.number;
    if (sub === 'FNAME') return value.name;
    return value.id;
  }
  const v = value.value;
  if (sub && isRecord(v)) return getCI(v, sub) ?? null;
  return v ?? null;
}

function resolveBill(
  form: K3FormDef,
  doc: StoredDocument<K3StoredBill>,
  entryIndex: number | undefined,
  field: string,
): unknown {
  const { base, sub } = splitField(field);
  if (base === form.pkField.toUpperCase() || base === 'FID') return doc.id;
  if (base === form.numberField.toUpperCase()) return doc.billNo;
  if (base === 'FDOCUMENTSTATUS') return doc.status;
  if (base === 'FCREATEDATE') return doc.firstWrittenAt.replace('Z', '');
  if (base === 'FMODIFYDATE') return doc.lastWrittenAt.replace('Z', '');
  const entry =
    entryIndex === undefined ? undefined : doc.body.entries[entryIndex];
  const special = entrySpecial(form, base);
  if (special)
    return entry ? (special === 'id' ? entry.entryId : entry.seq) : null;
  if (base in doc.body.header) return storedValue(doc.body.header[base], sub);
  if (entry && base in entry.fields)
    return storedValue(entry.fields[base], sub);
  return null;
}

function isKnownMasterField(
  form: K3FormDef,
  records: K3MasterRecord[],
  field: string,
): boolean {
  const { base } = splitField(field);
  if (
    [
      form.pkField.toUpperCase(),
      'FNUMBER',
      'FNAME',
      'FDOCUMENTSTATUS',
      'FFORBIDSTATUS',
    ].includes(base)
  )
    return true;
  if (form.extraFields.some((f) => f.toUpperCase() === base)) return true;
  return records.some((record) =>
    Object.keys(record.attrs).some((k) => k.toUpperCase() === base),
  );
}

function resolveMaster(
  form: K3FormDef,
  record: K3MasterRecord,
  field: string,
): unknown {
  const { base, sub } = splitField(field);
  if (base === form.pkField.toUpperCase()) return record.id;
  if (base === 'FNUMBER') return record.number;
  if (base === 'FNAME') return record.name;
  if (base === 'FDOCUMENTSTATUS') return record.status;
  if (base === 'FFORBIDSTATUS') return record.forbidden ? 'B' : 'A';
  const attr = getCI(record.attrs, base);
  if (attr === undefined) return null;
  if (isRecord(attr) && 'ref' in attr && typeof attr['ref'] === 'boolean')
    return storedValue(attr as K3StoredValue, sub);
  return attr;
}

function parseOrder(
  orderString: string,
): Array<{ field: string; desc: boolean }> {
  return orderString
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const [field = '', direction = ''] = part.split(/\s+/);
      return { field, desc: direction.toUpperCase() === 'DESC' };
    });
}

function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}
