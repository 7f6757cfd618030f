import type { RawRecord } from '@kingbridge/contracts';
import { contentHash } from '@kingbridge/pipeline-core';
import { K3CloudClient } from '@kingbridge/sink-kingdee-client';
import {
  CachedLookupProvider,
  InMemoryLookupProvider,
  K3CloudLookupLoader,
  RoutingLookupProvider,
  type LookupProvider,
  type SyncPlan,
} from '@kingbridge/transform-engine';
// The demo world's K3Cloud: the simulator, its order entry fed from WDT.
import { startWdtSalesOrderFeeder } from '@kingbridge/simulators';
import type { K3CloudSimulator, SourceSimulator } from '@kingbridge/simulators';
import { lookupTables } from '../demo-master-data';

/**
 * The lookups a plan reads in the demo world, as the transform reads them: its
 * `lookups:` tables from the K3Cloud simulator (after the demo order entry has
 * entered the sales orders of WDT's stock-outs), every other table from the
 * demo master data.
 */
export async function demoLookups(
  plan: SyncPlan,
  k3cloud: K3CloudSimulator,
  source: SourceSimulator,
): Promise<LookupProvider> {
  const memory = new InMemoryLookupProvider(lookupTables());
  const tables = Object.entries(plan.lookups);
  if (tables.length === 0) return memory;
  if (plan.source.platform === 'wdt') {
    const feeder = startWdtSalesOrderFeeder({ wdt: source, k3cloud });
    await feeder.tick();
  }
  const client = new K3CloudClient({
    baseUrl: k3cloud.baseUrl,
    acctId: k3cloud.acctId,
    userName: 'kingbridge',
    auth: { mode: 'password', password: 'Kb@2026!' },
    timeoutMs: 10_000,
  });
  const loader = new K3CloudLookupLoader(
    Object.fromEntries(
      tables.map(([name, t]) => [
        name,
        { formId: t.formId, columns: t.columns },
      ]),
    ),
    (data) => client.executeBillQuery(data),
  );
  return new RoutingLookupProvider(
    memory,
    new Map(
      tables.map(([name]) => [
        name,
        new CachedLookupProvider(loader, { ttlMs: 600_000 }) as LookupProvider,
      ]),
    ),
  );
}

/** A simulator record (latest version) as a connector publishes it: JSON, 64-bit ids as strings. */
export function publishedRecord(
  plan: SyncPlan,
  held: { id: string; versions: Array<{ data: unknown }> },
  runId: string,
): RawRecord {
  const payload = JSON.parse(
    JSON.stringify(held.versions.at(-1)?.data, (_k, v: unknown) =>
      typeof v === 'bigint' ? v.toString() : v,
    ),
  ) as Record<string, unknown>;
  return {
    schemaVersion: 1,
    platform: plan.source.platform,
    entity: plan.source.entity,
    stream: plan.source.stream,
    sourceId: held.id,
    modifiedAt: '2026-11-22T00:00:00.000Z',
    contentHash: contentHash(payload),
    payload,
    runId,
    fetchedAt: '2026-11-22T00:00:00.000Z',
  };
}
