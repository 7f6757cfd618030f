/** One row of a lookup table (materials, units, stocks, customers, orgs, ...). */
export type LookupRow = Readonly<Record<string, unknown>>;

/**
 * One `_findCollection` query with its key values filled in from a record.
 * `key` is a canonical string of table + where pairs: use it as the cache key.
 */
export interface LookupQuery {
  readonly table: string;
  readonly where: ReadonlyArray<readonly [column: string, value: string]>;
  readonly key: string;
}

/**
 * Where `_findCollection` reads master data. Mapping is synchronous and fast,
 * so the service first calls `preload` with every query a batch of records
 * will make (`FlowTransformer.lookupQueries`), then maps; `get` must answer
 * from memory.
 *
 * - `preload(queries)`: bulk-load the rows for these queries (e.g. one
 *   `SELECT ... WHERE (k1,k2) IN (...)` per table), caching with a TTL.
 *   Reject with a RetriableError when the store is unreachable.
 * - `get(query)`: the row, or `undefined` when the table has no such row.
 *   The engine turns `undefined` into a NonRetriableError(errorClass
 *   `lookup`) carrying the field path.
 */
export interface LookupProvider {
  preload(queries: readonly LookupQuery[]): Promise<void>;
  get(query: LookupQuery): LookupRow | undefined;
  /**
   * Optional: true when `preload` loads this table whole, so only the table name of its queries matters
   * (a caller may then preload `lookupQuery(table, [])` once instead of collecting every record's keys).
   */
  loadsWholeTable?(table: string): boolean;
}

/** The `cause` of a lookup error whose table has no row for the key (not: a store that failed). */
export class LookupMiss {
  constructor(
    readonly table: string,
    readonly key: string,
  ) {}
}

/** The `cause` of a lookup error whose row exists but has no value in the column read. */
export class LookupEmptyColumn {
  constructor(
    readonly table: string,
    readonly column: string,
  ) {}
}

export function lookupKey(
  table: string,
  where: ReadonlyArray<readonly [string, string]>,
): string {
  // `table?k1=v1&k2=v2`, values URI-encoded; one string built in place (this runs per lookup per record).
  let key = `${table}?`;
  for (let i = 0; i < where.length; i += 1) {
    const [k, v] = where[i] as readonly [string, string];
    key += `${i === 0 ? '' : '&'}${k}=${encodeURIComponent(v)}`;
  }
  return key;
}

export function lookupQuery(
  table: string,
  where: ReadonlyArray<readonly [string, string]>,
): LookupQuery {
  return { table, where, key: lookupKey(table, where) };
}

/**
 * Lookup tables held in memory: `{ materials: [{ number: 'SKU-1', id: '9001' }], ... }`.
 * Used by `plan dry-run`, tests and the benchmark; also a fine cache layer.
 */
export class InMemoryLookupProvider implements LookupProvider {
  private readonly index = new Map<string, LookupRow | null>();

  constructor(
    private readonly tables: Readonly<Record<string, readonly LookupRow[]>>,
  ) {}

  async preload(queries: readonly LookupQuery[]): Promise<void> {
    for (const q of queries) this.get(q);
  }

  get(query: LookupQuery): LookupRow | undefined {
    const cached = this.index.get(query.key);
    if (cached !== undefined) return cached ?? undefined;
    const rows = Object.prototype.hasOwnProperty.call(this.tables, query.table)
      ? this.tables[query.table]
      : undefined;
    const row =
      rows?.find((r) =>
        query.where.every(
          ([col, value]) =>
            Object.prototype.hasOwnProperty.call(r, col) &&
            String(r[col]) === value,
        ),
      ) ?? null;
    this.index.set(query.key, row);
    return row ?? undefined;
  }
}
