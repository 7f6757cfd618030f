import type { ExprNode } from '../expression/expression-parser';
import type { CompiledField } from './field-mapper';
import type { CompiledValue } from './value-template';

/** Top-level record keys and row keys a compiled mapping reads (to keep merge state small). */
export interface ReferencedKeys {
  readonly root: Set<string>;
  readonly row: Set<string>;
}

function fromNode(node: ExprNode, keys: ReferencedKeys): void {
  switch (node.k) {
    case 'ref':
      (node.row ? keys.row : keys.root).add(node.path[0] as string);
      return;
    case 'lit':
      return;
    case 'neg':
    case 'not':
      fromNode(node.a, keys);
      return;
    case 'bin':
    case 'and':
    case 'or':
      fromNode(node.a, keys);
      fromNode(node.b, keys);
      return;
    case 'cond':
      fromNode(node.c, keys);
      fromNode(node.a, keys);
      fromNode(node.b, keys);
      return;
    case 'call':
      node.args.forEach((a) => fromNode(a, keys));
      return;
  }
}

export function collectValueRefs(
  value: CompiledValue,
  keys: ReferencedKeys,
): void {
  switch (value.k) {
    case 'const':
      return;
    case 'ref':
    case 'expr':
      fromNode(value.node, keys);
      return;
    case 'interp':
      value.parts.forEach((p) => typeof p !== 'string' && fromNode(p, keys));
      return;
    case 'lookup':
      value.where.forEach(([, v]) => collectValueRefs(v, keys));
      return;
  }
}

export function collectFieldRefs(
  fields: readonly CompiledField[],
  keys: ReferencedKeys,
): void {
  for (const f of fields) {
    if (f.kind === 'value') collectValueRefs(f.value, keys);
    else {
      if (f.kind === 'array' && f.listPath)
        keys.root.add(f.listPath[0] as string);
      collectFieldRefs(f.children, keys);
    }
  }
}

function lookupTablesOf(value: CompiledValue, tables: Set<string>): void {
  if (value.k !== 'lookup') return;
  tables.add(value.table);
  value.where.forEach(([, v]) => lookupTablesOf(v, tables));
}

/** Every lookup table a compiled mapping can query (`_findCollection … from <table>`). */
export function collectLookupTables(
  fields: readonly CompiledField[],
  tables: Set<string>,
  values: readonly CompiledValue[] = [],
): Set<string> {
  for (const v of values) lookupTablesOf(v, tables);
  for (const f of fields) {
    if (f.kind === 'value') lookupTablesOf(f.value, tables);
    else collectLookupTables(f.children, tables);
  }
  return tables;
}
