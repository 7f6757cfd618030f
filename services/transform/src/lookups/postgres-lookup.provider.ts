import { RetriableError } from '@kingbridge/pipeline-core';
import {
  InMemoryLookupProvider,
  type LookupProvider,
  type LookupQuery,
  type LookupRow,
} from '@kingbridge/transform-engine';
import type { DataSource } from 'typeorm';

interface CachedTable {
  readonly rows: readonly LookupRow[];
  readonly loadedAt: number;
}

/**
 * `_findCollection` lookups against `transform.lookup_row`. `preload` reads
 * every table the queries name that is missing or older than the TTL, whole
 * and in one query; `get` answers from memory through an
 * InMemoryLookupProvider over the cached tables (rebuilt after each load).
 * A table with no rows is cached empty, so its lookups fail as "not found".
 * Tables in `routes` (read from K3Cloud) go to their own provider.
 */
export class PostgresLookupProvider implements LookupProvider {
  private readonly tables = new Map<string, CachedTable>();
  private memory = new InMemoryLookupProvider({});

  constructor(
    private readonly dataSource: DataSource,
    private readonly ttlMs: number,
    private readonly clock: () => number = Date.now,
    /** Tables read elsewhere (plan `lookups:` from K3Cloud), by table name. */
    private readonly routes: ReadonlyMap<string, LookupProvider> = new Map(),
  ) {}

  async preload(queries: readonly LookupQuery[]): Promise<void> {
    const routed = new Map<LookupProvider, LookupQuery[]>();
    const local: string[] = [];
    for (const q of queries) {
      const provider = this.routes.get(q.table);
      if (provider)
        (routed.get(provider) ?? routed.set(provider, []).get(provider))?.push(
          q,
        );
      else local.push(q.table);
    }
    await Promise.all([
      this.preloadTables(local),
      ...[...routed].map(([provider, list]) => provider.preload(list)),
    ]);
  }

  /** Loads these tables when missing or stale. Rejects with RetriableError when Postgres fails. */
  async preloadTables(names: readonly string[]): Promise<void> {
    const now = this.clock();
    const stale = [...new Set(names)].filter((t) => {
      const cached = this.tables.get(t);
      return cached === undefined || now - cached.loadedAt >= this.ttlMs;
    });
    if (stale.length === 0) return;
    let rows: Array<{ table_name: string; row: LookupRow }>;
    try {
      rows = (await this.dataSource.query(
        'SELECT table_name, row FROM transform.lookup_row WHERE table_name = ANY($1) ORDER BY id',
        [stale],
      )) as Array<{ table_name: string; row: LookupRow }>;
    } catch (err) {
      throw new RetriableError(
        `cannot load lookup tables ${stale.join(', ')}: ${(err as Error).message}`,
        {
          errorClass: 'server_error',
          cause: err,
        },
      );
    }
    const byTable = new Map<string, LookupRow[]>(stale.map((t) => [t, []]));
    for (const r of rows) byTable.get(r.table_name)?.push(r.row);
    for (const [table, list] of byTable)
      this.tables.set(table, { rows: list, loadedAt: now });
    const all: Record<string, readonly LookupRow[]> = {};
    for (const [table, cached] of this.tables) all[table] = cached.rows;
    this.memory = new InMemoryLookupProvider(all);
  }

  /** Local tables are read whole (by name); routed ones by key. */
  loadsWholeTable(table: string): boolean {
    return !this.routes.has(table);
  }

  get(query: LookupQuery): LookupRow | undefined {
    const provider = this.routes.get(query.table);
    return provider ? provider.get(query) : this.memory.get(query);
  }

  /** Forgets every cached table (tests, after a reload of master data). */
  invalidate(): void {
    this.tables.clear();
    this.memory = new InMemoryLookupProvider({});
  }
}
