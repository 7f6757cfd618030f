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
 * Returns undefined when any step is missing.
 */
export function getPath(root: unknown, path: RecordPath): unknown {
  let current: unknown = root;
  for (const segment of path) {
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
