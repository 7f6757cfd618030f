import {
  CachedLookupProvider,
  K3CloudLookupLoader,
  loadPlans,
  parseDuration,
  type K3CloudLookupTable,
  type LookupProvider,
} from '@kingbridge/transform-engine';
import type { TransformConfig } from '../transform.config';
import { K3CloudQueryClient } from './k3cloud-query.client';

/**
 * The plans' `lookups:` tables read from K3Cloud, each behind its own TTL
 * cache, by table name (empty when no plan reads K3Cloud). One table name
 * means one definition across plans.
 */
export async function k3cloudLookupRoutes(
  config: Pick<
    TransformConfig,
    | 'PLANS_DIR'
    | 'K3CLOUD_BASE_URL'
    | 'K3CLOUD_ACCT_ID'
    | 'K3CLOUD_USERNAME'
    | 'K3CLOUD_PASSWORD'
  >,
  options: { clock?: () => number; fetch?: typeof fetch } = {},
): Promise<Map<string, LookupProvider>> {
  const tables = new Map<
    string,
    { def: K3CloudLookupTable; ttlMs: number; file: string }
  >();
  for (const { file, plan } of await loadPlans(config.PLANS_DIR)) {
    for (const [name, t] of Object.entries(plan.lookups)) {
      const def = { formId: t.formId, columns: t.columns };
      const other = tables.get(name);
      if (other && JSON.stringify(other.def) !== JSON.stringify(def))
        throw new Error(
          `${file}: lookups.${name}: defined differently in ${other.file}`,
        );
      tables.set(name, {
        def,
        ttlMs: parseDuration(t.cacheTtl) ?? 600_000,
        file,
      });
    }
  }
  const routes = new Map<string, LookupProvider>();
  if (tables.size === 0) return routes;
  const missing = (
    ['K3CLOUD_ACCT_ID', 'K3CLOUD_USERNAME', 'K3CLOUD_PASSWORD'] as const
  ).filter((k) => !config[k]);
  if (missing.length > 0)
    throw new Error(
      `${missing.join(', ')}: required when a plan reads lookups from K3Cloud (${[...tables.keys()].join(', ')})`,
    );
  const client = new K3CloudQueryClient({
    baseUrl: config.K3CLOUD_BASE_URL,
    acctId: config.K3CLOUD_ACCT_ID as string,
    userName: config.K3CLOUD_USERNAME as string,
    password: config.K3CLOUD_PASSWORD as string,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const loader = new K3CloudLookupLoader(
    Object.fromEntries([...tables].map(([name, t]) => [name, t.def])),
    client.executeBillQuery,
  );
  for (const [name, t] of tables)
    routes.set(
      name,
      new CachedLookupProvider(loader, {
        ttlMs: t.ttlMs,
        ...(options.clock ? { clock: options.clock } : {}),
      }),
    );
  return routes;
}
