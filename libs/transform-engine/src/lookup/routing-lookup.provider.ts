import type { LookupProvider, LookupQuery, LookupRow } from './lookup-provider';

/**
 * Sends each lookup to the provider of its table (e.g. tables read from
 * K3Cloud), every other table to the fallback (the transform's Postgres
 * tables). One preload per provider with its own queries.
 */
export class RoutingLookupProvider implements LookupProvider {
  constructor(
    private readonly fallback: LookupProvider,
    private readonly routes: ReadonlyMap<string, LookupProvider>,
  ) {}

  private providerOf(table: string): LookupProvider {
    return this.routes.get(table) ?? this.fallback;
  }

  async preload(queries: readonly LookupQuery[]): Promise<void> {
    const byProvider = new Map<LookupProvider, LookupQuery[]>();
    for (const q of queries) {
      const p = this.providerOf(q.table);
      (byProvider.get(p) ?? byProvider.set(p, []).get(p))?.push(q);
    }
    await Promise.all(
      [...byProvider].map(([provider, list]) => provider.preload(list)),
    );
  }

  get(query: LookupQuery): LookupRow | undefined {
    return this.providerOf(query.table).get(query);
  }
}
