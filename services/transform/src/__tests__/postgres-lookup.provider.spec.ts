import { RetriableError } from '@kingbridge/pipeline-core';
import { lookupQuery } from '@kingbridge/transform-engine';
import type { DataSource } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { PostgresLookupProvider } from '../lookups/postgres-lookup.provider';

/** Stands in for the DataSource: answers the provider's one SELECT from in-memory rows and records the calls. */
function fakeStore(
  rows: Array<{ table_name: string; row: Record<string, unknown> }>,
) {
  const calls: string[][] = [];
  let failing = false;
  const dataSource = {
    query: async (_sql: string, params: [string[]]) => {
      if (failing) throw new Error('connection refused');
      calls.push([...params[0]].sort());
      return rows.filter((r) => params[0].includes(r.table_name));
    },
  } as unknown as DataSource;
  return { dataSource, calls, fail: () => (failing = true) };
}

const MATERIAL = lookupQuery('materials', [['number', 'SKU-1']]);
const UNIT = lookupQuery('units', [['sku_id', 'SKU-1']]);

describe('PostgresLookupProvider', () => {
  it('should load each table whole once per TTL and answer get from memory when preloaded', async () => {
    let now = 1_000;
    const store = fakeStore([
      { table_name: 'materials', row: { number: 'SKU-1', id: 'M1' } },
      { table_name: 'units', row: { sku_id: 'SKU-1', id: 'U1' } },
    ]);
    const provider = new PostgresLookupProvider(
      store.dataSource,
      60_000,
      () => now,
    );

    await provider.preload([MATERIAL, UNIT, MATERIAL]);
    await provider.preload([MATERIAL]);
    expect(store.calls).toEqual([['materials', 'units']]);
    expect(provider.get(MATERIAL)).toEqual({ number: 'SKU-1', id: 'M1' });
    expect(
      provider.get(lookupQuery('materials', [['number', 'SKU-404']])),
    ).toBeUndefined();

    now += 60_000;
    await provider.preload([MATERIAL]);
    expect(store.calls).toEqual([['materials', 'units'], ['materials']]);
    expect(provider.get(UNIT)).toEqual({ sku_id: 'SKU-1', id: 'U1' });
  });

  it('should treat a table without rows as loaded so its lookups fail as not found', async () => {
    const store = fakeStore([]);
    const provider = new PostgresLookupProvider(store.dataSource, 60_000);
    await provider.preload([MATERIAL]);
    await provider.preload([MATERIAL]);
    expect(store.calls).toHaveLength(1);
    expect(provider.get(MATERIAL)).toBeUndefined();
  });

  it('should reject with a RetriableError when Postgres fails', async () => {
    const store = fakeStore([]);
    store.fail();
    const provider = new PostgresLookupProvider(store.dataSource, 60_000);
    await expect(provider.preload([MATERIAL])).rejects.toBeInstanceOf(
      RetriableError,
    );
  });
});
