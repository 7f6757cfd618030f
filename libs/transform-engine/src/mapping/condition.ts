import { Decimal } from '../util/decimal';
import { compareExact } from '../util/exact-number';
import { isForbiddenName } from '../util/forbidden-names.constant';
import { getPath, parsePath, type RecordPath } from '../util/record-path.util';
import type {
  ConditionInput,
  ConditionLogic,
  ConditionsInput,
} from '../plan/sync-plan.schema';
import { PlanCompileError } from './plan-compile.error';

/** A compiled condition: on the record (`list` undefined) or on each row of a detail list. */
export interface CompiledCondition {
  readonly text: string;
  readonly list: string | undefined;
  readonly path: RecordPath;
  readonly test: (value: unknown) => boolean;
}

/** OR of AND groups. An empty array means "no filter". */
export type CompiledConditions = readonly (readonly CompiledCondition[])[];

const SHORT_RE =
  /^\s*(\S+)\s+(not\s+like|like|in|eq|ne|gte|gt|lte|lt|>=|<=|!=|<>|==|=|>|<)\s+(.+?)\s*$/i;

const SYMBOL_LOGIC: Readonly<Record<string, ConditionLogic>> = {
  '=': 'eq',
  '==': 'eq',
  '!=': 'ne',
  '<>': 'ne',
  '>': 'gt',
  '>=': 'gte',
  '<': 'lt',
  '<=': 'lte',
};

function unquote(text: string): string {
  const t = text.trim();
  if (
    t.length >= 2 &&
    (t[0] === "'" || t[0] === '"') &&
    t[t.length - 1] === t[0]
  )
    return t.slice(1, -1);
  return t;
}

function normalize(
  input: ConditionInput,
  path: string,
): { field: string; logic: ConditionLogic; value: unknown } {
  if (typeof input !== 'string') return input;
  const m = SHORT_RE.exec(input);
  if (!m)
    throw new PlanCompileError(
      path,
      `cannot parse condition '${input}' (expected "<field> <op> <value>")`,
    );
  const op = (m[2] as string).toLowerCase().replace(/\s+/g, ' ');
  const logic = (SYMBOL_LOGIC[op] ?? op) as ConditionLogic;
  let raw = m[3] as string;
  if (logic === 'in') {
    raw = raw.replace(/^\(\s*|\s*\)$/g, '');
    return { field: m[1] as string, logic, value: raw.split(',').map(unquote) };
  }
  return { field: m[1] as string, logic, value: unquote(raw) };
}

function compareValues(a: unknown, b: unknown): number | undefined {
  if (a === null || a === undefined) return undefined;
  const exact = compareExact(a, b);
  if (exact !== undefined) return exact;
  const da = Decimal.of(a);
  const db = Decimal.of(b);
  if (da && db) return da.cmp(db);
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function likeTester(pattern: string): (v: unknown) => boolean {
  if (!pattern.includes('%'))
    return (v) => v !== null && v !== undefined && String(v).includes(pattern);
  const body = pattern
    .split('%')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const re = new RegExp(`^${body}$`, 's');
  return (v) => v !== null && v !== undefined && re.test(String(v));
}

function tester(
  logic: ConditionLogic,
  value: unknown,
  path: string,
): (v: unknown) => boolean {
  const cmp = (pred: (c: number) => boolean) => (v: unknown) => {
    const c = compareValues(v, value);
    return c !== undefined && pred(c);
  };
  switch (logic) {
    case 'eq':
      return cmp((c) => c === 0);
    case 'ne':
      return (v) => compareValues(v, value) !== 0;
    case 'gt':
      return cmp((c) => c > 0);
    case 'gte':
      return cmp((c) => c >= 0);
    case 'lt':
      return cmp((c) => c < 0);
    case 'lte':
      return cmp((c) => c <= 0);
    case 'in': {
      const list = Array.isArray(value) ? value : String(value).split(',');
      const options = list.map((x) => String(x).trim());
      return (v) =>
        v !== null &&
        v !== undefined &&
        options.some((o) => compareValues(v, o) === 0);
    }
    case 'like':
      return likeTester(String(value));
    case 'not like': {
      const like = likeTester(String(value));
      return (v) => !like(v);
    }
    default:
      throw new PlanCompileError(path, `unknown logic '${String(logic)}'`);
  }
}

/**
 * Compiles plan conditions. A field starting with one of `lists` (a detail
 * list the plan maps or merges, e.g. `items.qty`) becomes a row condition.
 */
export function compileConditions(
  input: ConditionsInput | undefined,
  lists: readonly string[],
  planPath: string,
): CompiledConditions {
  if (!input || input.length === 0) return [];
  const grouped = (
    Array.isArray(input[0]) ? input : [input]
  ) as readonly (readonly ConditionInput[])[];
  return grouped.map((group, gi) =>
    group.map((raw, ci) => {
      const path = Array.isArray(input[0])
        ? `${planPath}[${gi}][${ci}]`
        : `${planPath}[${ci}]`;
      const c = normalize(raw, path);
      const bad = parsePath(c.field).find(
        (s) => s === '' || isForbiddenName(s),
      );
      if (bad !== undefined)
        throw new PlanCompileError(
          path,
          `forbidden name '${bad}' in field '${c.field}'`,
        );
      const list = [...lists]
        .sort((a, b) => b.length - a.length)
        .find((l) => c.field.startsWith(`${l}.`));
      const fieldPath = parsePath(
        list ? c.field.slice(list.length + 1) : c.field,
      );
      return {
        text:
          typeof raw === 'string'
            ? raw
            : `${c.field} ${c.logic} ${JSON.stringify(c.value)}`,
        list,
        path: fieldPath,
        test: tester(c.logic, c.value, path),
      };
    }),
  );
}

export type FilterResult =
  | { readonly pass: true; readonly record: Record<string, unknown> }
  | {
      readonly pass: false;
      readonly reason: string;
      /** The record's value of the first failing record-level condition (absent for a row condition). */
      readonly actual?: unknown;
    };

/**
 * Applies conditions to a record. Row conditions keep only the rows of their
 * list that pass; a group passes when its record conditions hold and every
 * list it filters keeps at least one row. The returned record is a shallow
 * copy with filtered lists (the input is never modified).
 */
export function applyConditions(
  conditions: CompiledConditions,
  record: Record<string, unknown>,
): FilterResult {
  if (conditions.length === 0) return { pass: true, record };
  const passing: Map<string, number[]>[] = [];
  let firstFailure = '';
  let firstActual: { value: unknown } | undefined;
  for (const group of conditions) {
    let ok = true;
    const groupRows = new Map<string, number[]>();
    for (const c of group) {
      if (c.list === undefined) {
        const value = getPath(record, c.path);
        if (!c.test(value)) {
          ok = false;
          if (!firstFailure) {
            firstFailure = c.text;
            firstActual = { value };
          }
          break;
        }
        continue;
      }
      const rows = getPath(record, parsePath(c.list));
      if (!Array.isArray(rows)) {
        ok = false;
        firstFailure ||= `${c.text} (no list '${c.list}')`;
        break;
      }
      const candidates = groupRows.get(c.list) ?? rows.map((_r, i) => i);
      const survivors = candidates.filter((i) =>
        c.test(getPath(rows[i], c.path)),
      );
      groupRows.set(c.list, survivors);
      if (survivors.length === 0) {
        ok = false;
        firstFailure ||= `${c.text} (no row matches)`;
        break;
      }
    }
    if (ok) passing.push(groupRows);
  }
  if (passing.length === 0)
    return firstActual
      ? { pass: false, reason: firstFailure, actual: firstActual.value }
      : { pass: false, reason: firstFailure };
  // A list is narrowed only when every passing group filters it; rows kept = union.
  const lists = new Set(passing.flatMap((g) => [...g.keys()]));
  let out: Record<string, unknown> | undefined;
  for (const list of lists) {
    if (!passing.every((g) => g.has(list))) continue;
    const keep = new Set(passing.flatMap((g) => g.get(list) ?? []));
    const rows = getPath(record, parsePath(list)) as unknown[];
    if (keep.size === rows.length) continue;
    out ??= { ...record };
    setTopLevelOrNested(
      out,
      list,
      rows.filter((_r, i) => keep.has(i)),
    );
  }
  return { pass: true, record: out ?? record };
}

/** Replaces a (possibly nested) list in a shallow-copied record without touching the input. */
function setTopLevelOrNested(
  out: Record<string, unknown>,
  list: string,
  rows: unknown[],
): void {
  const path = parsePath(list);
  let target = out;
  for (let i = 0; i < path.length - 1; i += 1) {
    const key = path[i] as string;
    const copy = { ...(target[key] as Record<string, unknown>) };
    target[key] = copy;
    target = copy;
  }
  target[path[path.length - 1] as string] = rows;
}
