import { NonRetriableError, PipelineError } from '@kingbridge/pipeline-core';
import {
  isMissing,
  toOutput,
  toText,
  truthy,
} from '../expression/expression-value';
import { LookupEmptyColumn } from '../lookup/lookup-provider';
import type { MappingFieldInput } from '../plan/sync-plan.schema';
import { Decimal } from '../util/decimal';
import { decimalToNumberFast } from '../util/exact-number';
import { formatDateTime, parseDateTime } from '../util/date-time.util';
import { isForbiddenName } from '../util/forbidden-names.constant';
import {
  getRootPath,
  parsePath,
  type RecordPath,
} from '../util/record-path.util';
import { PlanCompileError } from './plan-compile.error';
import {
  compileValue,
  evalValue,
  type CompiledValue,
  type MapContext,
} from './value-template';

type FieldType = NonNullable<MappingFieldInput['type']>;

/** A compiled mapping field: a value, an object of children, or an array of rows. */
export type CompiledField =
  | {
      readonly kind: 'value';
      readonly key: string;
      readonly value: CompiledValue;
      readonly type: FieldType | undefined;
      readonly format: string | undefined;
      readonly wrapKey: string | undefined;
      readonly optional: boolean;
      readonly fallback: unknown;
    }
  | {
      readonly kind: 'object';
      readonly key: string;
      readonly children: readonly CompiledField[];
      readonly wrapKey: string | undefined;
    }
  | {
      readonly kind: 'array';
      readonly key: string;
      /** Detail list the rows come from; undefined = exactly one row. */
      readonly list: string | undefined;
      readonly listPath: RecordPath | undefined;
      readonly children: readonly CompiledField[];
    };

function wrapKeyOf(parser: MappingFieldInput['parser']): string | undefined {
  if (parser === undefined) return undefined;
  return typeof parser === 'string' ? 'FNumber' : parser.params;
}

/**
 * The detail list an array field's `value` names (`{{items}}` or `items`);
 * undefined when it names none (exactly one row).
 */
function detailListOf(
  value: MappingFieldInput['value'],
  at: string,
  rowList: string | undefined,
): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') {
    const list = value.trim().replace(/^\{+|\}+$/g, '');
    const bad = parsePath(list).find(
      (s) => s === '' || isForbiddenName(s) || !/^[\p{L}\p{N}_$]+$/u.test(s),
    );
    if (bad !== undefined)
      throw new PlanCompileError(`${at}.value`, `invalid list path '${value}'`);
    if (rowList !== undefined)
      throw new PlanCompileError(
        `${at}.value`,
        'nested detail lists are not supported',
      );
    return list;
  }
  if (value !== undefined && value !== null && value !== '')
    throw new PlanCompileError(
      `${at}.value`,
      'an array value must name a detail list',
    );
  return undefined;
}

/**
 * Compiles the mapping tree. `rowList` is the detail list of the enclosing
 * array (what `{{list.field}}` refers to). Collects the detail lists used.
 */
export function compileFields(
  fields: readonly MappingFieldInput[],
  path: string,
  rowList: string | undefined,
  lists: Set<string>,
): CompiledField[] {
  const seen = new Set<string>();
  return fields.map((f, i) => {
    const at = `${path}[${i}]`;
    if (isForbiddenName(f.field))
      throw new PlanCompileError(
        `${at}.field`,
        `forbidden field name '${f.field}'`,
      );
    if (seen.has(f.field))
      throw new PlanCompileError(`${at}.field`, `duplicate field '${f.field}'`);
    seen.add(f.field);
    const type = f.type ?? (f.children ? 'object' : undefined);
    if (type === 'array' || type === 'object') {
      if (!f.children?.length)
        throw new PlanCompileError(
          `${at}.children`,
          `an ${type} field needs children`,
        );
      const list =
        type === 'array' ? detailListOf(f.value, at, rowList) : undefined;
      if (list !== undefined) lists.add(list);
      // Rows of an array read its detail list; an object's children read the enclosing one.
      const children = compileFields(
        f.children,
        `${at}.children`,
        list ?? rowList,
        lists,
      );
      return type === 'array'
        ? {
            kind: 'array',
            key: f.field,
            list,
            listPath: list === undefined ? undefined : parsePath(list),
            children,
          }
        : {
            kind: 'object',
            key: f.field,
            children,
            wrapKey: wrapKeyOf(f.parser),
          };
    }
    if (f.children)
      throw new PlanCompileError(
        `${at}.children`,
        `children need type object or array`,
      );
    if (f.value === undefined)
      throw new PlanCompileError(`${at}.value`, 'Required');
    if (f.format !== undefined && !/yyyy|MM|dd|HH|mm|ss|%Y/.test(f.format)) {
      throw new PlanCompileError(
        `${at}.format`,
        `unsupported date format '${f.format}'`,
      );
    }
    return {
      kind: 'value',
      key: f.field,
      value: compileValue(
        f.value,
        rowList === undefined ? {} : { rowList },
        `${at}.value`,
      ),
      type,
      format:
        f.format ??
        (type === 'date'
          ? 'yyyy-MM-dd'
          : type === 'datetime'
            ? 'yyyy-MM-dd HH:mm:ss'
            : undefined),
      wrapKey: wrapKeyOf(f.parser),
      optional: f.optional ?? false,
      fallback: f.default,
    };
  });
}

function coerce(
  field: Extract<CompiledField, { kind: 'value' }>,
  raw: unknown,
  ctx: MapContext,
  at: string,
): unknown {
  // `at` may be '' here: mapFields adds the path to errors thrown without one.
  let v = raw;
  if (field.format !== undefined) {
    const ms = parseDateTime(
      v instanceof Decimal ? v.toNumber() : v,
      ctx.offsetMinutes,
    );
    if (ms === undefined) {
      throw new NonRetriableError(`'${String(v)}' is not a date`, {
        errorClass: 'mapping',
        fieldPath: at,
      });
    }
    v = formatDateTime(ms, field.format, ctx.offsetMinutes);
  }
  switch (field.type) {
    case 'string':
      return toText(v, ctx.offsetMinutes);
    case 'number': {
      const fast = decimalToNumberFast(v);
      if (fast !== undefined) return fast;
      const d = Decimal.of(v);
      if (!d)
        throw new NonRetriableError(`'${String(v)}' is not a number`, {
          errorClass: 'mapping',
          fieldPath: at,
        });
      return d.toNumber();
    }
    case 'boolean':
      return typeof v === 'string' ? v === 'true' || v === '1' : truthy(v);
    default:
      return toOutput(v, ctx.offsetMinutes);
  }
}

function emptyColumn(err: unknown): boolean {
  return err instanceof PipelineError && err.cause instanceof LookupEmptyColumn;
}

function withPath(err: unknown, at: string): unknown {
  // Values fail without a path (building one per field is measurable); the path is added here.
  if (err instanceof NonRetriableError && !err.fieldPath) {
    return new NonRetriableError(err.message, {
      errorClass: err.errorClass,
      fieldPath: at,
      cause: err.cause,
    });
  }
  return err;
}

function pathOf(docPath: string, key: string): string {
  return docPath === '' ? key : `${docPath}.${key}`;
}

/** The rows of an array field's detail list; throws (mapping, at `at`) when the record has no such list. */
function detailRows(
  list: string | undefined,
  listPath: RecordPath,
  ctx: MapContext,
  at: string,
): readonly unknown[] {
  const rows = getRootPath(ctx, listPath);
  if (!Array.isArray(rows)) throw missingDetailList(list, at);
  return rows;
}

/** The mapping error of a record without the detail list an array field maps (at the field `at`). */
export function missingDetailList(
  list: string | undefined,
  at: string,
): NonRetriableError {
  return new NonRetriableError(
    `detail list '${list}' is missing or not a list`,
    { errorClass: 'mapping', fieldPath: at },
  );
}

/** Visits each row with `ctx` whose `row` is that row (one context, reassigned per row). */
function eachRow(
  ctx: MapContext,
  rows: readonly unknown[],
  visit: (rowCtx: MapContext, index: number) => void,
): void {
  const rowCtx: { -readonly [K in keyof MapContext]: MapContext[K] } = {
    ...ctx,
  };
  for (let i = 0; i < rows.length; i += 1) {
    rowCtx.row = rows[i];
    visit(rowCtx, i);
  }
}

/** What evalField returns for a field left out of the document. */
const LEFT_OUT: unique symbol = Symbol('left out');

/**
 * The value of a value field as the record gives it (missing values included), or LEFT_OUT: an optional
 * lookup that finds nothing leaves the field out, like any missing optional value (not in the lookup-collection
 * pass). A row that exists with nothing in the column read is missing (null) when the field has a default.
 */
function evalField(
  field: Extract<CompiledField, { kind: 'value' }>,
  ctx: MapContext,
): unknown {
  try {
    return evalValue(field.value, ctx, '');
  } catch (err) {
    if (
      field.optional &&
      err instanceof PipelineError &&
      err.errorClass === 'lookup' &&
      !ctx.collect
    )
      return LEFT_OUT;
    if (!emptyColumn(err) || field.fallback === undefined) throw err;
    return null;
  }
}

function missingValue(
  field: CompiledField,
  docPath: string,
): NonRetriableError {
  return new NonRetriableError(
    `missing value for ${pathOf(docPath, field.key)}`,
    { errorClass: 'mapping' },
  );
}

/** Maps fields into `out`. Throws NonRetriableError (mapping | lookup) with the document path. */
export function mapFields(
  fields: readonly CompiledField[],
  ctx: MapContext,
  out: Record<string, unknown>,
  docPath: string,
): void {
  for (const field of fields) {
    try {
      if (field.kind === 'object') {
        const obj: Record<string, unknown> = {};
        mapFields(field.children, ctx, obj, pathOf(docPath, field.key));
        out[field.key] = field.wrapKey ? { [field.wrapKey]: obj } : obj;
        continue;
      }
      if (field.kind === 'array') {
        const at = pathOf(docPath, field.key);
        if (field.listPath === undefined) {
          const obj: Record<string, unknown> = {};
          mapFields(field.children, ctx, obj, `${at}[0]`);
          out[field.key] = [obj];
          continue;
        }
        const rows = detailRows(field.list, field.listPath, ctx, at);
        const mapped: Record<string, unknown>[] = new Array(rows.length);
        eachRow(ctx, rows, (rowCtx, i) => {
          const obj: Record<string, unknown> = {};
          mapFields(field.children, rowCtx, obj, `${at}[${i}]`);
          mapped[i] = obj;
        });
        out[field.key] = mapped;
        continue;
      }
      let v = evalField(field, ctx);
      if (v === LEFT_OUT) continue;
      if (isMissing(v)) {
        if (field.fallback !== undefined) v = field.fallback;
        else if (field.optional) continue;
        else throw missingValue(field, docPath);
      }
      const coerced = isMissing(v) ? v : coerce(field, v, ctx, '');
      out[field.key] = field.wrapKey ? { [field.wrapKey]: coerced } : coerced;
    } catch (err) {
      // In the lookup-collection pass a field that cannot be mapped yet is skipped.
      if (ctx.collect) continue;
      throw withPath(err, pathOf(docPath, field.key));
    }
  }
}

/**
 * Checks that fields can be mapped without building the output: references
 * present, lookups found, typed values convertible. `_function` fields are
 * skipped (in merged documents they run on aggregated values). Same errors
 * and paths as mapFields.
 */
export function checkFields(
  fields: readonly CompiledField[],
  ctx: MapContext,
  docPath: string,
): void {
  for (const field of fields) {
    if (field.kind === 'value') {
      if (field.value.k === 'expr' || field.value.k === 'const') continue;
      try {
        const v = evalField(field, ctx);
        if (v === LEFT_OUT) continue;
        // A default is not checked: only what the record gives.
        if (isMissing(v)) {
          if (field.fallback !== undefined || field.optional) continue;
          throw missingValue(field, docPath);
        }
        if (field.type !== undefined || field.format !== undefined)
          coerce(field, v, ctx, '');
      } catch (err) {
        throw withPath(err, pathOf(docPath, field.key));
      }
      continue;
    }
    const at = pathOf(docPath, field.key);
    if (field.kind === 'object' || field.listPath === undefined) {
      checkFields(
        field.children,
        ctx,
        field.kind === 'array' ? `${at}[0]` : at,
      );
      continue;
    }
    const rows = detailRows(field.list, field.listPath, ctx, at);
    eachRow(ctx, rows, (rowCtx, i) =>
      checkFields(field.children, rowCtx, `${at}[${i}]`),
    );
  }
}
