import { createDataSource } from '@kingbridge/persistence';
import { uniqueName } from '@kingbridge/testing';
import type {
  Contribution,
  MergeChanges,
  MergeStateSnapshot,
  WindowMeta,
} from '@kingbridge/transform-engine';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CachingMergeStateRepository } from '../../src/merge/caching-merge-state.repository';
import { MergeStateRepository } from '../../src/merge/merge-state.repository';
import { TEST_DATABASE_URL } from './transform.harness';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 2, 1);

function meta(key: string): WindowMeta {
  return {
    key,
    baseKey: key,
    group: ['S'],
    start: T0,
    end: T0 + HOUR,
    status: 'open',
    correction: false,
    createdAt: T0,
    lastSeenAt: T0,
  };
}

function contribution(qty: number): Contribution {
  return {
    h: String(qty).padStart(64, '0'),
    t: T0 + 1,
    f: '2026-03-01T00:00:00.000Z',
    header: {},
    rows: [{ qty }],
  };
}

/** One batch's changes: these records put into the window (its row written too, as a merger reports it). */
function puts(key: string, records: Record<string, number>): MergeChanges {
  return {
    watermark: T0,
    deletedWindows: [],
    windows: [meta(key)],
    records: Object.entries(records).map(([sourceId, qty]) => ({
      op: 'put' as const,
      windowKey: key,
      sourceId,
      contribution: contribution(qty),
    })),
  };
}

/**
 * What a batch does: lock the window, read its snapshot, write its changes, commit. `handOver`: as a merger
 * restored from handed-over maps does, the snapshot's maps are changed in place by exactly the changes written.
 */
async function batch(
  repo: MergeStateRepository,
  flow: string,
  key: string,
  changes?: MergeChanges,
  options: { handOver?: boolean; fail?: Error } = {},
): Promise<MergeStateSnapshot> {
  return repo.transaction(async (tx) => {
    const watermark = await repo.lockWatermark(tx, flow);
    const windows = await repo.lockWindows(tx, flow, [key]);
    const snapshot = options.handOver
      ? await repo.handOverSnapshot(tx, flow, watermark, windows)
      : await repo.snapshot(tx, flow, watermark, windows);
    for (const c of options.handOver ? (changes?.records ?? []) : []) {
      const w = snapshot.windows.find((x) => x.key === c.windowKey);
      if (w && c.op === 'put') w.records[c.sourceId] = c.contribution;
      if (w && c.op === 'delete') delete w.records[c.sourceId];
    }
    if (changes) await repo.writeChanges(tx, flow, changes);
    if (options.fail) throw options.fail;
    return snapshot;
  });
}

function quantities(snapshot: MergeStateSnapshot): Record<string, unknown> {
  const w = snapshot.windows[0];
  return Object.fromEntries(
    Object.entries(w?.records ?? {}).map(([id, c]) => [id, c.rows[0]?.qty]),
  );
}

describe('merge state repository with the records of open windows cached between batches', () => {
  let db: DataSource;
  let plain: MergeStateRepository;

  beforeAll(async () => {
    db = createDataSource({ url: TEST_DATABASE_URL });
    await db.initialize();
    plain = new MergeStateRepository(db);
  });

  afterAll(async () => {
    await db?.destroy();
  });

  it('should answer a snapshot as Postgres holds it, also after another instance changed the window', async () => {
    // Arrange: a window with one record; this instance caches it after its own batch adds a second.
    const flow = uniqueName('it-cache');
    const cached = new CachingMergeStateRepository(db, 1_000);
    await batch(plain, flow, 'w1', puts('w1', { r1: 1 }));
    await batch(cached, flow, 'w1', puts('w1', { r2: 2 }));
    expect(cached.size).toBe(2);

    // Act: another instance (no cache) changes r1 and adds r3; then this instance's next batch reads the window.
    await batch(plain, flow, 'w1', puts('w1', { r1: 10, r3: 3 }));
    const seen = await batch(cached, flow, 'w1', puts('w1', { r4: 4 }));

    // Assert: the other instance's change is in the snapshot, and the cache ends where Postgres is.
    expect(quantities(seen)).toEqual({ r1: 10, r2: 2, r3: 3 });
    const fromCache = await batch(cached, flow, 'w1');
    const fromDb = await batch(plain, flow, 'w1');
    expect(quantities(fromCache)).toEqual({ r1: 10, r2: 2, r3: 3, r4: 4 });
    expect(fromCache).toEqual(fromDb);
  });

  it('should keep the maps a batch changed in place, handed over, as Postgres holds them, and nothing of a rolled back one', async () => {
    // Arrange
    const flow = uniqueName('it-cache');
    const cached = new CachingMergeStateRepository(db, 1_000);
    await batch(plain, flow, 'w1', puts('w1', { r1: 1 }));
    await batch(cached, flow, 'w1', puts('w1', { r2: 2 }), { handOver: true });

    // Act: a cache hit handed over and changed in place (r1 replaced, r3 added), then one that rolls back.
    const hit = await batch(cached, flow, 'w1', puts('w1', { r1: 10, r3: 3 }), {
      handOver: true,
    });
    const handed = quantities(hit);
    await expect(
      batch(cached, flow, 'w1', puts('w1', { r4: 4 }), {
        handOver: true,
        fail: new Error('produce failed'),
      }),
    ).rejects.toThrow('produce failed');

    // Assert: the hit was what the first batch left (then changed in place); afterwards the cache answers what
    // Postgres holds, without the rolled back r4.
    expect(handed).toEqual({ r1: 10, r2: 2, r3: 3 });
    const fromCache = await batch(cached, flow, 'w1');
    expect(quantities(fromCache)).toEqual({ r1: 10, r2: 2, r3: 3 });
    expect(fromCache).toEqual(await batch(plain, flow, 'w1'));
  });

  it('should refuse a handed-over snapshot of a stored record that is not a contribution, naming the window and the record', async () => {
    // Arrange
    const flow = uniqueName('it-cache');
    const cached = new CachingMergeStateRepository(db, 1_000);
    await batch(plain, flow, 'w1', puts('w1', { r1: 1 }));
    await db.query(
      `UPDATE transform.merge_record SET contribution = contribution - 'rows' WHERE flow = $1`,
      [flow],
    );

    // Act
    const read = cached.transaction(async (tx) => {
      const windows = await cached.lockWindows(tx, flow, ['w1']);
      return cached.handOverSnapshot(tx, flow, null, windows);
    });

    // Assert
    await expect(read).rejects.toThrow(
      `invalid merge state for flow ${flow}: merge_record of window w1, record r1: rows: expected a list of objects`,
    );
  });

  it('should not keep what a rolled back batch wrote', async () => {
    // Arrange
    const flow = uniqueName('it-cache');
    const cached = new CachingMergeStateRepository(db, 1_000);
    await batch(cached, flow, 'w1', puts('w1', { r1: 1 }));
    await batch(cached, flow, 'w1', puts('w1', { r2: 2 }));

    // Act: a batch writes r3, then fails before its commit.
    await expect(
      cached.transaction(async (tx) => {
        const windows = await cached.lockWindows(tx, flow, ['w1']);
        await cached.snapshot(tx, flow, null, windows);
        await cached.writeChanges(tx, flow, puts('w1', { r3: 3 }));
        throw new Error('produce failed');
      }),
    ).rejects.toThrow('produce failed');

    // Assert
    const after = await batch(cached, flow, 'w1');
    expect(quantities(after)).toEqual({ r1: 1, r2: 2 });
    expect(after).toEqual(await batch(plain, flow, 'w1'));
  });
});
