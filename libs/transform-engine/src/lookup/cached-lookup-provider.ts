import { RetriableError } from '@kingbridge/pipeline-core';
import type { LookupProvider, LookupQuery, LookupRow } from './lookup-provider';

/**
 * Loads lookup rows from a store (Postgres in the transform service). Called
 * once per table per preload with every query that is not cached; returns the
 * row found for each `query.key` (absent key = no such row). Throw on store
 * errors; the provider turns them into a RetriableError.
 */
export interface LookupLoader {
  load(
    table: string,
    queries: readonly LookupQuery[],
  ): Promise<ReadonlyMap<string, LookupRow>>;
}

export interface CachedLookupOptions {
  /** How long a found row is served before it is loaded again. */
  readonly ttlMs: number;
  /** How long "no such row" is remembered (short, so added master data is seen soon). */
  readonly negativeTtlMs?: number;
  /** Upper bound of cached keys; the oldest are evicted first. */
  readonly maxEntries?: number;
  readonly clock?: () => number;
}

interface Entry {
  readonly row: LookupRow | null;
  readonly expiresAt: number;
}

/**
 * A TTL cache over a bulk `LookupLoader`: `preload` fetches every missing or
 * expired key with one `load` call per table; `get` answers from memory.
 * `get` on a key that was never preloaded throws a RetriableError (a wiring
 * bug, not bad data). `invalidate` drops cached rows, e.g. before a replay.
 */
export class CachedLookupProvider implements LookupProvider {
  private readonly cache = new Map<string, Entry>();
  private readonly clock: () => number;
  private readonly negativeTtlMs: number;
  private readonly maxEntries: number;

  constructor(
    private readonly loader: LookupLoader,
    private readonly options: CachedLookupOptions,
  ) {
    this.clock = options.clock ?? Date.now;
    this.negativeTtlMs =
      options.negativeTtlMs ?? Math.min(options.ttlMs, 30_000);
    this.maxEntries = options.maxEntries ?? 100_000;
  }

  async preload(queries: readonly LookupQuery[]): Promise<void> {
    const now = this.clock();
    const byTable = new Map<string, Map<string, LookupQuery>>();
    for (const q of queries) {
      const hit = this.cache.get(q.key);
      if (hit && hit.expiresAt > now) continue;
      let table = byTable.get(q.table);
      if (!table) {
        table = new Map();
        byTable.set(q.table, table);
      }
      table.set(q.key, q);
    }
    for (const [table, pending] of byTable) {
      let rows: ReadonlyMap<string, LookupRow>;
      try {
        rows = await this.loader.load(table, [...pending.values()]);
      } catch (err) {
        throw new RetriableError(
          `lookup table ${table} could not be loaded: ${(err as Error).message}`,
          {
            errorClass: 'lookup',
            cause: err,
          },
        );
      }
      const loadedAt = this.clock();
      for (const key of pending.keys()) {
        const row = rows.get(key);
        this.cache.delete(key);
        this.cache.set(key, {
          row: row ?? null,
          expiresAt: loadedAt + (row ? this.options.ttlMs : this.negativeTtlMs),
        });
      }
    }
    while (this.cache.size > this.maxEntries) {
      const oldest = this.cache.keys().next().value as string;
      this.cache.delete(oldest);
    }
  }

  get(query: LookupQuery): LookupRow | undefined {
    const entry = this.cache.get(query.key);
    if (!entry) {
      throw new RetriableError(`lookup ${query.key} was not preloaded`, {
        errorClass: 'lookup',
      });
    }
    return entry.row ?? undefined;
  }

  /** Forgets cached rows of one table (or all): the next preload reloads them. */
  invalidate(table?: string): void {
    if (table === undefined) {
      this.cache.clear();
      return;
    }
    for (const key of [...this.cache.keys()])
      if (key.startsWith(`${table}?`)) this.cache.delete(key);
  }

  get size(): number {
    return this.cache.size;
  }
}
