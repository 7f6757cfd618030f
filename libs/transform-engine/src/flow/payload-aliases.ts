import { isForbiddenName } from '../util/forbidden-names.constant';
import { setOwn } from '../util/own-property.util';
import { getPath, parsePath, type RecordPath } from '../util/record-path.util';

/** The plan's `source.aliases` and `source.flattenLists`, compiled once. */
export interface PayloadAliases {
  readonly aliases: ReadonlyArray<readonly [string, RecordPath]>;
  readonly flattenLists: readonly string[];
}

export function compilePayloadAliases(
  aliases: Readonly<Record<string, string>>,
  flattenLists: readonly string[],
): PayloadAliases | undefined {
  const pairs = Object.entries(aliases)
    .filter(([name]) => !isForbiddenName(name))
    .map(([name, path]) => [name, parsePath(path)] as const);
  const lists = flattenLists.filter((l) => !isForbiddenName(l));
  return pairs.length === 0 && lists.length === 0
    ? undefined
    : { aliases: pairs, flattenLists: lists };
}

/**
 * Adds the seeds' platform names to a payload without removing the wire
 * names: `new_customerid` next to `company.company_id`, and in each row of a
 * flattened list `product_list_count` next to `count` (the platform's list
 * export). A name the payload already has is left as it is.
 */
export function applyPayloadAliases(
  payload: Record<string, unknown>,
  compiled: PayloadAliases,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...payload };
  for (const list of compiled.flattenLists) {
    const rows = out[list];
    if (!Array.isArray(rows)) continue;
    out[list] = rows.map((row: unknown) => {
      if (row === null || typeof row !== 'object' || Array.isArray(row))
        return row;
      const flat: Record<string, unknown> = { ...row };
      for (const [k, v] of Object.entries(row as Record<string, unknown>)) {
        const name = `${list}_${k}`;
        if (!Object.prototype.hasOwnProperty.call(flat, name))
          setOwn(flat, name, v);
      }
      return flat;
    });
  }
  for (const [name, path] of compiled.aliases) {
    if (Object.prototype.hasOwnProperty.call(out, name)) continue;
    const value = getPath(payload, path);
    if (value !== undefined) setOwn(out, name, value);
  }
  return out;
}
