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
    if (type === 'array') {
      if (!f.children?.length)
        throw new PlanCompileError(
          `${at}.children`,
          'an array field needs children',
        );
      let list: string | undefined;
      if (typeof f.value === 'string' && f.value.trim() !== '') {
        list = f.value.trim().replace(/^\{+|\}+$/g, '');
        const bad = parsePath(list).find(
          (s) =>
            s === '' || isForbiddenName(s) || !/^[\p{L}\p{N}_$]+$/u.test(s),
        );
        if (bad !== undefined)
          throw new PlanCompileError(
            `${at}.value`,
            `invalid list path '${f.value}'`,
          );
        if (rowList !== undefined)
          throw new PlanCompileError(
            `${at}.value`,
            'nested detail lists are not supported',
          );
        lists.add(list);
      } else if (f.value !== undefined && f.value !== null && f.value !== '') {
        throw new PlanCompileError(
          `${at}.value`,
          'an array value must name a detail list',
        );
      }
      return {
        kind: 'array',
        key: f.field,
        list,
        listPath: list === undefined ? undefined : parsePath(list),
        children: compileFields(
          f.children,
          `${at}.children`,
          list ?? rowList,
          lists,
        ),
      };
    }
    if (type === 'object') {
      if (!f.children?.length)
        throw new PlanCompileError(
          `${at}.children`,
          'an object field needs children',
        );
      return {
        kind: 'object',
        key: f.field,
        children: compileFields(f.children, `${at}.children`, rowList, lists),
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
        mapFields(
          field.children,
          ctx,
          obj,
          docPath === '' ? field.key : `${docPath}.${field.key}`,
        );
        out[field.key] = field.wrapKey ? { [field.wrapKey]: obj } : obj;
        continue;
      }
      if (field.kind === 'array') {
        const at = docPath === '' ? field.key : `${docPath}.${field.key}`;
        if (field.listPath === undefined) {
          const obj: Record<string, unknown> = {};
          mapFields(field.children, ctx, obj, `${at}[0]`);
          out[field.key] = [obj];
          continue;
        }
        const rows = getRootPath(ctx, field.listPath);
        if (!Array.isArray(rows)) {
          throw new NonRetriableError(
            `detail list '${field.list}' is missing or not a list`,
            { errorClass: 'mapping', fieldPath: at },
          );
        }
        const mapped: Record<string, unknown>[] = new Array(rows.length);
        const rowCtx: { -readonly [K in keyof MapContext]: MapContext[K] } = {
          ...ctx,
        };
        for (let i = 0; i < rows.length; i += 1) {
          const obj: Record<string, unknown> = {};
          rowCtx.row = rows[i];
          mapFields(field.children, rowCtx, obj, `${at}[${i}]`);
          mapped[i] = obj;
        }
        out[field.key] = mapped;
        continue;
      }
      let v: unknown;
      try {
        v = evalValue(field.value, ctx, '');
      } catch (err) {
        // An optional lookup that finds nothing leaves the field out, like any missing optional value.
        if (
          field.optional &&
          err instanceof PipelineError &&
          err.errorClass === 'lookup' &&
          !ctx.collect
        )
          continue;
        // A row that exists with nothing in the column read takes the field's default.
        if (!emptyColumn(err) || field.fallback === undefined) throw err;
        v = null;
      }
      if (isMissing(v)) {
        if (field.fallback !== undefined) v = field.fallback;
        else if (field.optional) continue;
        else
          throw new NonRetriableError(
            `missing value for ${docPath === '' ? field.key : `${docPath}.${field.key}`}`,
            { errorClass: 'mapping' },
          );
      }
      const coerced = isMissing(v) ? v : coerce(field, v, ctx, '');
      out[field.key] = field.wrapKey ? { [field.wrapKey]: coerced } : coerced;
    } catch (err) {
      // In the lookup-collection pass a field that cannot be mapped yet is skipped.
      if (ctx.collect) continue;
      throw withPath(
        err,
        docPath === '' ? field.key : `${docPath}.${field.key}`,
      );
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
        let v: unknown;
        try {
          v = evalValue(field.value, ctx, '');
        } catch (err) {
          if (
            field.optional &&
            err instanceof PipelineError &&
            err.errorClass === 'lookup'
          )
            continue;
          if (!emptyColumn(err) || field.fallback === undefined) throw err;
          v = null;
        }
        if (isMissing(v)) {
          if (field.fallback !== undefined || field.optional) continue;
          throw new NonRetriableError(
            `missing value for ${docPath === '' ? field.key : `${docPath}.${field.key}`}`,
            { errorClass: 'mapping' },
          );
        }
        if (field.type !== undefined || field.format !== undefined)
          coerce(field, v, ctx, '');
      } catch (err) {
        throw withPath(
          err,
          docPath === '' ? field.key : `${docPath}.${field.key}`,
        );
      }
      continue;
    }
    const at = docPath === '' ? field.key : `${docPath}.${field.key}`;
    if (field.kind === 'object' || field.listPath === undefined) {
      checkFields(
        field.children,
        ctx,
        field.kind === 'array' ? `${at}[0]` : at,
      );
      continue;
    }
    const rows = getRootPath(ctx, field.listPath);
    if (!Array.isArray(rows)) {
      throw new NonRetriableError(
        `detail list '${field.list}' is missing or not a list`,
        { errorClass: 'mapping', fieldPath: at },
      );
    }
    const rowCtx: { -readonly [K in keyof MapContext]: MapContext[K] } = {
      ...ctx,
    };
    for (let i = 0; i < rows.length; i += 1) {
      rowCtx.row = rows[i];
      checkFields(field.children, rowCtx, `${at}[${i}]`);
    }
  }
}
