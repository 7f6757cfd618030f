import type { LookupLoader } from './cached-lookup-provider';
import type { LookupQuery, LookupRow } from './lookup-provider';

/**
 * A `_findCollection` table read from K3Cloud itself (plan `lookups:`): the
 * form queried with ExecuteBillQuery and, per lookup column, the field key it
 * comes from (`seller_number: FSELLER.FNumber`, `entry_id: FSaleOrderEntry_FEntryID`).
 */
export interface K3CloudLookupTable {
  readonly formId: string;
  readonly columns: Readonly<Record<string, string>>;
}

/** K3Cloud ExecuteBillQuery (`data` as the API takes it); rows as arrays in FieldKeys order. */
export type ExecuteBillQueryFn = (data: {
  readonly FormId: string;
  readonly FieldKeys: string;
  readonly FilterString: string;
  readonly TopRowCount: number;
  readonly Limit: number;
}) => Promise<unknown[][]>;

/** Rows per query K3Cloud answers at most (its default cap is 2000, 10000 with Limit). */
const MAX_ROWS = 10_000;

function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * Loads lookup rows from K3Cloud: one ExecuteBillQuery per table and chunk of
 * queries (a page of records makes one call, not one per record), the filter
 * `<key> IN (...)` for one-column lookups and `(k1 = .. AND k2 = ..) OR ...`
 * otherwise. Put a CachedLookupProvider over it for the TTL.
 */
export class K3CloudLookupLoader implements LookupLoader {
  constructor(
    private readonly tables: Readonly<Record<string, K3CloudLookupTable>>,
    private readonly query: ExecuteBillQueryFn,
    private readonly chunkSize = 200,
  ) {}

  handles(table: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.tables, table);
  }

  async load(
    table: string,
    queries: readonly LookupQuery[],
  ): Promise<ReadonlyMap<string, LookupRow>> {
    const def = this.tables[table];
    if (!def) throw new Error(`lookup table ${table} is not read from K3Cloud`);
    const columns = Object.entries(def.columns);
    const found = new Map<string, LookupRow>();
    for (let i = 0; i < queries.length; i += this.chunkSize) {
      const chunk = queries.slice(i, i + this.chunkSize);
      const rows = await this.query({
        FormId: def.formId,
        FieldKeys: columns.map(([, key]) => key).join(','),
        FilterString: filterOf(def, chunk),
        TopRowCount: 0,
        Limit: MAX_ROWS,
      });
      const records = rows.map((row) => {
        const record: Record<string, unknown> = {};
        columns.forEach(([column], k) => {
          record[column] = row[k] ?? null;
        });
        return record;
      });
      for (const q of chunk) {
        const row = records.find((r) =>
          q.where.every(
            ([column, value]) =>
              r[column] !== null &&
              r[column] !== undefined &&
              String(r[column]) === value,
          ),
        );
        if (row) found.set(q.key, row);
      }
    }
    return found;
  }
}

function filterOf(
  def: K3CloudLookupTable,
  queries: readonly LookupQuery[],
): string {
  const keyOf = (column: string): string => {
    const key = def.columns[column];
    if (key === undefined)
      throw new Error(
        `lookup on ${def.formId}: column '${column}' is not one of ${Object.keys(def.columns).join(', ')}`,
      );
    return key;
  };
  const first = queries[0];
  if (
    first &&
    first.where.length === 1 &&
    queries.every(
      (q) => q.where.length === 1 && q.where[0]?.[0] === first.where[0]?.[0],
    )
  ) {
    const column = first.where[0]?.[0] as string;
    const values = [...new Set(queries.map((q) => q.where[0]?.[1] as string))];
    return `${keyOf(column)} IN (${values.map(sqlString).join(',')})`;
  }
  return queries
    .map(
      (q) =>
        `(${q.where.map(([column, value]) => `${keyOf(column)} = ${sqlString(value)}`).join(' AND ')})`,
    )
    .join(' OR ');
}
