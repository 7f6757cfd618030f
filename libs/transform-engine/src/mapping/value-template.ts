import { NonRetriableError } from '@kingbridge/pipeline-core';
import {
  ExpressionEvaluationError,
  ExpressionSyntaxError,
} from '../expression/expression.error';
import { evaluate, type EvalContext } from '../expression/expression-evaluator';
import {
  parseExpression,
  resolveReference,
  type ExprNode,
  type ExpressionScope,
} from '../expression/expression-parser';
import { isMissing, toText } from '../expression/expression-value';
import { isForbiddenName } from '../util/forbidden-names.constant';
import { getPath, getRootPath } from '../util/record-path.util';
import {
  LookupEmptyColumn,
  LookupMiss,
  lookupQuery,
  type LookupProvider,
  type LookupQuery,
} from '../lookup/lookup-provider';
import { PlanCompileError } from './plan-compile.error';

/** A compiled `value`: constant, single reference, interpolated text, expression or lookup. */
export type CompiledValue =
  | { readonly k: 'const'; readonly v: unknown }
  | { readonly k: 'ref'; readonly node: ExprNode }
  | { readonly k: 'interp'; readonly parts: readonly (string | ExprNode)[] }
  | { readonly k: 'expr'; readonly node: ExprNode; readonly source: string }
  | {
      readonly k: 'lookup';
      readonly table: string;
      readonly column: string;
      readonly where: readonly (readonly [string, CompiledValue])[];
      readonly source: string;
    };

/** Everything a value may read while one record is mapped. */
export interface MapContext extends EvalContext {
  readonly lookups: LookupProvider;
  /** When set, lookups are recorded here instead of resolved (preload pass). */
  readonly collect: LookupQuery[] | undefined;
}

const REF_RE = /\{\{([^{}]+)\}\}|\{([^{}]+)\}/g;
const FIND_RE =
  /^_findCollection\s+find\s+(\S+)\s+from\s+(\S+)\s+where\s+(.+)$/is;

function compileTemplate(
  text: string,
  scope: ExpressionScope,
  path: string,
): CompiledValue {
  const parts: (string | ExprNode)[] = [];
  let last = 0;
  for (const m of text.matchAll(REF_RE)) {
    const index = m.index ?? 0;
    if (index > last) parts.push(text.slice(last, index));
    const row = m[1] !== undefined;
    const ref = (row ? m[1] : m[2]) as string;
    try {
      parts.push(resolveReference(ref.trim(), row, scope, index));
    } catch (err) {
      throw new PlanCompileError(path, (err as Error).message);
    }
    last = index + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  if (parts.length === 0) return { k: 'const', v: text };
  if (parts.length === 1 && typeof parts[0] !== 'string')
    return { k: 'ref', node: parts[0] as ExprNode };
  if (parts.every((p) => typeof p === 'string')) return { k: 'const', v: text };
  return { k: 'interp', parts };
}

function compileLookup(
  text: string,
  scope: ExpressionScope,
  path: string,
): CompiledValue {
  const m = FIND_RE.exec(text.trim());
  if (!m) {
    throw new PlanCompileError(
      path,
      `cannot parse '${text}' (expected _findCollection find <col> from <table> where <key>=<value> [and ...])`,
    );
  }
  const [, column, table, whereText] = m as unknown as [
    string,
    string,
    string,
    string,
  ];
  for (const name of [column, table]) {
    if (!/^[A-Za-z_][\w]*$/.test(name) || isForbiddenName(name)) {
      throw new PlanCompileError(
        path,
        `invalid or forbidden name '${name}' in _findCollection`,
      );
    }
  }
  const where = whereText.split(/\s+and\s+/i).map((clause) => {
    const eq = clause.indexOf('=');
    if (eq <= 0)
      throw new PlanCompileError(path, `bad where clause '${clause}'`);
    const key = clause.slice(0, eq).trim();
    if (!/^[A-Za-z_][\w]*$/.test(key) || isForbiddenName(key)) {
      throw new PlanCompileError(
        path,
        `invalid or forbidden column '${key}' in _findCollection`,
      );
    }
    const raw = clause
      .slice(eq + 1)
      .trim()
      .replace(/^'(.*)'$/s, '$1');
    return [key, compileTemplate(raw, scope, path)] as const;
  });
  return { k: 'lookup', table, column, where, source: text };
}

/** Compiles a mapping `value`. Throws PlanCompileError with the plan path. */
export function compileValue(
  value: unknown,
  scope: ExpressionScope,
  path: string,
): CompiledValue {
  if (typeof value !== 'string') return { k: 'const', v: value };
  const trimmed = value.trim();
  if (/^_function\s/i.test(trimmed)) {
    const source = trimmed.replace(/^_function\s+/i, '');
    try {
      return { k: 'expr', node: parseExpression(source, scope), source };
    } catch (err) {
      if (err instanceof ExpressionSyntaxError)
        throw new PlanCompileError(path, `_function: ${err.message}`);
      throw err;
    }
  }
  if (/^_findCollection\s/i.test(trimmed))
    return compileLookup(trimmed, scope, path);
  if (/^_(mongoQuery|function|findCollection)\b/i.test(trimmed)) {
    throw new PlanCompileError(path, `unsupported directive in '${trimmed}'`);
  }
  return compileTemplate(value, scope, path);
}

function fail(
  errorClass: 'mapping' | 'lookup',
  message: string,
  fieldPath: string,
  cause?: unknown,
): never {
  throw new NonRetriableError(message, { errorClass, fieldPath, cause });
}

/** Evaluates a compiled value. Returns null for a missing reference; throws NonRetriableError on bad data. */
export function evalValue(
  value: CompiledValue,
  ctx: MapContext,
  fieldPath: string,
): unknown {
  switch (value.k) {
    case 'const':
      return value.v;
    case 'ref': {
      const node = value.node as Extract<ExprNode, { k: 'ref' }>;
      const v = node.row
        ? getPath(ctx.row, node.path)
        : getRootPath(ctx, node.path);
      return v === undefined ? null : v;
    }
    case 'interp': {
      let out = '';
      for (const p of value.parts) {
        if (typeof p === 'string') {
          out += p;
          continue;
        }
        const v = evaluate(p, ctx);
        if (isMissing(v)) {
          fail(
            'mapping',
            `missing value for '${(p as { text: string }).text}'`,
            fieldPath,
          );
        }
        out += toText(v, ctx.offsetMinutes);
      }
      return out;
    }
    case 'expr':
      try {
        return evaluate(value.node, ctx);
      } catch (err) {
        if (err instanceof ExpressionEvaluationError) {
          fail(
            'mapping',
            `_function ${value.source}: ${err.message}`,
            fieldPath,
            err,
          );
        }
        throw err;
      }
    case 'lookup': {
      const where: (readonly [string, string])[] = new Array(
        value.where.length,
      );
      for (let i = 0; i < where.length; i += 1) {
        const [col, v] = value.where[i] as readonly [string, CompiledValue];
        const key = evalValue(v, ctx, fieldPath);
        // An empty text is a key like any other (WDT's fenxiao_nick '' = a direct sale); absent is a miss.
        if (isMissing(key)) {
          fail(
            'lookup',
            `lookup ${value.table}: key '${col}' is missing in the record`,
            fieldPath,
          );
        }
        where[i] = [col, toText(key, ctx.offsetMinutes)];
      }
      const query = lookupQuery(value.table, where);
      if (ctx.collect) {
        ctx.collect.push(query);
        return '';
      }
      const row = ctx.lookups.get(query);
      if (!row) {
        fail(
          'lookup',
          `lookup ${value.table} where ${where.map(([c, v]) => `${c}=${v}`).join(' and ')}: not found`,
          fieldPath,
          new LookupMiss(value.table, query.key),
        );
      }
      const out = Object.prototype.hasOwnProperty.call(row, value.column)
        ? row[value.column]
        : undefined;
      if (isMissing(out)) {
        fail(
          'lookup',
          `lookup ${value.table}: column '${value.column}' is empty for ${query.key}`,
          fieldPath,
          new LookupEmptyColumn(value.table, value.column),
        );
      }
      return out;
    }
  }
}
