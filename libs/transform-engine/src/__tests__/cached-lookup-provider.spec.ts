import { RetriableError } from '@kingbridge/pipeline-core';
import { describe, expect, it } from 'vitest';
import {
  CachedLookupProvider,
  type LookupLoader,
} from '../lookup/cached-lookup-provider';
import {
  lookupQuery,
  type LookupQuery,
  type LookupRow,
} from '../lookup/lookup-provider';

class TableLoader implements LookupLoader {
  calls: Array<{ table: string; keys: string[] }> = [];
  failing = false;

  constructor(public tables: Record<string, LookupRow[]>) {}

  async load(
    table: string,
    queries: readonly LookupQuery[],
  ): Promise<ReadonlyMap<string, LookupRow>> {
    this.calls.push({ table, keys: queries.map((q) => q.key) });
    if (this.failing) throw new Error('connection refused');
    const out = new Map<string, LookupRow>();
    for (const q of queries) {
      const row = (this.tables[table] ?? []).find((r) =>
        q.where.every(([c, v]) => String(r[c]) === v),
      );
      if (row) out.set(q.key, row);
    }
    return out;
  }
}

const sku = (n: string) => lookupQuery('materials', [['number', n]]);

describe('cached lookup provider', () => {
  it('should load each table once per preload and answer from memory', async () => {
    // Arrange
    const loader = new TableLoader({
      materials: [{ number: 'SKU-1', id: 'M1' }],
      stocks: [{ wh_id: '1', id: 'S1' }],
    });
    const provider = new CachedLookupProvider(loader, { ttlMs: 60_000 });

    // Act
    await provider.preload([
      sku('SKU-1'),
      sku('SKU-1'),
      sku('SKU-2'),
      lookupQuery('stocks', [['wh_id', '1']]),
    ]);
    await provider.preload([sku('SKU-1')]);

    // Assert
    expect(loader.calls).toEqual([
      {
        table: 'materials',
        keys: ['materials?number=SKU-1', 'materials?number=SKU-2'],
      },
      { table: 'stocks', keys: ['stocks?wh_id=1'] },
    ]);
    expect(provider.get(sku('SKU-1'))).toEqual({ number: 'SKU-1', id: 'M1' });
    expect(provider.get(sku('SKU-2'))).toBeUndefined();
  });

  it('should reload after the ttl and see master data added since a miss', async () => {
    // Arrange
    let now = 0;
    const loader = new TableLoader({ materials: [] });
    const provider = new CachedLookupProvider(loader, {
      ttlMs: 60_000,
      negativeTtlMs: 5_000,
      clock: () => now,
    });
    await provider.preload([sku('SKU-9')]);
    loader.tables.materials = [{ number: 'SKU-9', id: 'M9' }];

    // Act
    now = 4_000;
    await provider.preload([sku('SKU-9')]);
    const stillMissing = provider.get(sku('SKU-9'));
    now = 5_001;
    await provider.preload([sku('SKU-9')]);

    // Assert
    expect(stillMissing).toBeUndefined();
    expect(provider.get(sku('SKU-9'))).toEqual({ number: 'SKU-9', id: 'M9' });
    expect(loader.calls).toHaveLength(2);
  });

  it('should forget a table on invalidate', async () => {
    const loader = new TableLoader({
      materials: [{ number: 'SKU-1', id: 'M1' }],
    });
    const provider = new CachedLookupProvider(loader, { ttlMs: 60_000 });
    await provider.preload([sku('SKU-1')]);
    provider.invalidate('materials');
    await provider.preload([sku('SKU-1')]);
    expect(loader.calls).toHaveLength(2);
  });

  it('should raise retriable errors for an unreachable store and for keys never preloaded', async () => {
    const loader = new TableLoader({});
    loader.failing = true;
    const provider = new CachedLookupProvider(loader, { ttlMs: 60_000 });
    await expect(provider.preload([sku('SKU-1')])).rejects.toBeInstanceOf(
      RetriableError,
    );
    expect(() => provider.get(sku('SKU-1'))).toThrow(RetriableError);
  });

  it('should evict the oldest keys beyond maxEntries', async () => {
    const loader = new TableLoader({ materials: [] });
    const provider = new CachedLookupProvider(loader, {
      ttlMs: 60_000,
      maxEntries: 2,
    });
    await provider.preload([sku('A'), sku('B'), sku('C')]);
    expect(provider.size).toBe(2);
    expect(() => provider.get(sku('A'))).toThrow(/not preloaded/);
  });
});
