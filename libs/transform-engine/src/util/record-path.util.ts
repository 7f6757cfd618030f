import { isForbiddenName } from './forbidden-names.constant';

/** A parsed dotted path (`goodsDetail.0.goodsNo` -> ['goodsDetail', '0', 'goodsNo']). */
export type RecordPath = readonly string[];

export function parsePath(text: string): RecordPath {
  return text
    .trim()
    .split('.')
    .map((s) => s.trim());
}

/** First forbidden or malformed segment of a path, if any (for plan validation). */
export function invalidPathSegment(path: RecordPath): string | undefined {
  for (const segment of path) {
    if (segment === '' || isForbiddenName(segment))
      return segment === '' ? '(empty)' : segment;
  }
  return undefined;
}

/**
 * Reads a path from record data: only own properties of plain objects and
 * numeric indexes of arrays are visible, so nothing reaches a prototype.
 * Returns undefined when any step is missing. `from`: the path read from that segment on.
 */
export function getPath(root: unknown, path: RecordPath, from = 0): unknown {
  let current: unknown = root;
  for (let i = from; i < path.length; i += 1) {
    const segment = path[i] as string;
    if (current === null || current === undefined) return undefined;
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(segment)) return undefined;
      current = current[Number(segment)];
      continue;
    }
    if (typeof current !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, segment))
      return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** What a mapping reads at the record level: the record, and `_doc` (when given) in place of the record's own. */
export interface RecordScope {
  readonly root: unknown;
  /** The `_doc` variable: a document's bill number and key, read as if the record had it as its `_doc`. */
  readonly doc?: unknown;
}

/** getPath on the record of a scope, with `_doc.*` read from the scope's `doc` when it has one. */
export function getRootPath(scope: RecordScope, path: RecordPath): unknown {
  if (scope.doc !== undefined && path[0] === '_doc')
    return getPath(scope.doc, path, 1);
  return getPath(scope.root, path);
}
