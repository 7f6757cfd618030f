import { createDataSource } from '@kingbridge/persistence';
import { uniqueName } from '@kingbridge/testing';
import type {
  MergeChanges,
  RecordChange,
  WindowState,
} from '@kingbridge/transform-engine';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MergeStateRepository,
  flowWatermark,
} from '../../src/merge/merge-state.repository';
import { TEST_DATABASE_URL } from './transform.harness';

const HOUR = 3_600_000;
const TIMINGS = {
  graceMs: 10 * 60_000,
  idleTimeoutMs: 5 * 60_000,
  dedupRetentionMs: 24 * HOUR,
  historyRetentionMs: 48 * HOUR,
};

function window(
  key: string,
  end: number,
  lastSeenAt: number,
  status: 'open' | 'emitted' = 'open',
): WindowState {
  return {
    key,
    baseKey: key,
    group: ['S'],
    start: end - HOUR,
    end,
    status,
    correction: false,
    createdAt: lastSeenAt,
    lastSeenAt,
    // Open: the pending contribution; emitted: the counted one (kept for deltas until dedupRetention).
    records: {
      r1: {
        h: 'a'.repeat(64),
        t: end - 1,
        f: '2026-01-01T00:00:00.000Z',
        header: {},
        rows: [],
      },
    },
    emitted: {},
  };
}

/** What a merger's takeRecordChanges would report for these new windows. */
function changesOf(
  windows: readonly WindowState[],
  watermark: number,
): MergeChanges {
  const records: RecordChange[] = windows.flatMap((w) => [
    ...Object.entries(w.records).map(([sourceId, contribution]) => ({
      op: 'put' as const,
      windowKey: w.key,
      sourceId,
      contribution,
    })),
    ...Object.entries(w.emitted).map(([sourceId, hash]) => ({
      op: 'emitted' as const,
      windowKey: w.key,
      sourceId,
      hash,
    })),
  ]);
  return {
    watermark,
    deletedWindows: [],
    windows: windows.map(({ records: _r, emitted: _e, ...meta }) => meta),
    records,
  };
}

describe('merge state repository against Postgres', () => {
  let db: DataSource;
  let repo: MergeStateRepository;

  beforeAll(async () => {
    db = createDataSource({ url: TEST_DATABASE_URL });
    await db.initialize();
    repo = new MergeStateRepository(db);
  });

  afterAll(async () => {
    await db?.destroy();
  });

  it('should pick windows due by watermark or by idle wall clock, and skip ones another transaction holds', async () => {
    const flow = uniqueName('it-flow');
    const t0 = Date.UTC(2026, 2, 1);
    await repo.transaction(async (tx) => {
      await repo.lockWatermark(tx, flow);
      await repo.writeChanges(
        tx,
        flow,
        changesOf(
          [
            window('by-watermark', t0, t0),
            window('not-yet', t0 + 5 * HOUR, t0 + 5 * HOUR),
            window('idle', t0 + 2 * HOUR, t0 + 2 * HOUR),
            window('busy', t0 + 2 * HOUR, t0 + 4 * HOUR),
          ],
          t0 + TIMINGS.graceMs,
        ),
      );
    });
    expect(await repo.readWatermark(flow)).toBe(t0 + TIMINGS.graceMs);

    // Wall clock: 'idle' is past end + grace and quiet for > idle timeout; 'busy' got a record 3 min ago.
    const now = t0 + 4 * HOUR + 3 * 60_000;
    const due = await repo.transaction(async (tx) =>
      (
        await repo.lockDueWindows(
          tx,
          flow,
          TIMINGS,
          t0 + TIMINGS.graceMs,
          now,
          10,
        )
      ).map((w) => w.key),
    );
    expect(due).toEqual(['by-watermark', 'idle']);

    // While one transaction holds the due windows, a second instance gets none of them (SKIP LOCKED, no waiting).
    await repo.transaction(async (tx1) => {
      const held = await repo.lockDueWindows(
        tx1,
        flow,
        TIMINGS,
        t0 + TIMINGS.graceMs,
        now,
        1,
      );
      const other = await repo.transaction(async (tx2) =>
        repo.lockDueWindows(tx2, flow, TIMINGS, t0 + TIMINGS.graceMs, now, 10),
      );
      expect(held.map((w) => w.key)).toEqual(['by-watermark']);
      expect(other.map((w) => w.key)).toEqual(['idle']);
    });
  });

  it('should keep the event time of every partition on the flow row, close windows by the slowest active partition, and not count downtime as idleness', async () => {
    const flow = uniqueName('it-flow');
    const t0 = Date.UTC(2026, 2, 1);
    const now = t0 + 48 * HOUR;
    const eventTimes = {
      resumedAt: now - HOUR,
      partitions: {
        // Replaying history: holds the watermark back.
        'raw/0': { t: t0 + HOUR, seen: now - 60_000 },
        // Far ahead.
        'raw/1': { t: t0 + 30 * HOUR, seen: now - 60_000 },
        // Read nothing for longer than the idle timeout: no longer counted.
        'raw/2': { t: t0 - 10 * HOUR, seen: now - HOUR },
      },
    };
    await repo.transaction(async (tx) => {
      await repo.lockEventTime(tx, flow);
      await repo.writeChanges(tx, flow, {
        ...changesOf(
          [
            window('passed-by-all', t0, now - 60_000),
            window('passed-by-one', t0 + 5 * HOUR, now - 60_000),
          ],
          t0 + 30 * HOUR,
        ),
        eventTimes,
      });
    });

    // Another instance (a rebalance) reads the same event times; the emitter's watermark is their active minimum.
    const row = await repo.transaction((tx) => repo.lockEventTime(tx, flow));
    expect(row).toEqual({ watermark: t0 + 30 * HOUR, eventTimes });
    const watermark = flowWatermark(row, TIMINGS.idleTimeoutMs, now);
    expect(watermark).toBe(t0 + HOUR);
    const due = await repo.transaction(async (tx) =>
      (await repo.lockDueWindows(tx, flow, TIMINGS, watermark, now, 10)).map(
        (w) => w.key,
      ),
    );
    expect(due).toEqual(['passed-by-all']);

    // A transform started a minute ago: a window quiet since before it stopped is not idle yet.
    const quiet = uniqueName('it-flow');
    await repo.transaction(async (tx) => {
      await repo.lockEventTime(tx, quiet);
      await repo.writeChanges(
        tx,
        quiet,
        changesOf([window('quiet', t0, t0)], t0),
      );
    });
    const dueAfter = async (idleSinceMs: number): Promise<string[]> =>
      repo.transaction(async (tx) =>
        (
          await repo.lockDueWindows(
            tx,
            quiet,
            TIMINGS,
            null,
            now,
            10,
            idleSinceMs,
          )
        ).map((w) => w.key),
      );
    expect(await dueAfter(now - 60_000)).toEqual([]);
    expect(await dueAfter(now - TIMINGS.idleTimeoutMs)).toEqual(['quiet']);
    for (const f of [flow, quiet])
      for (const table of ['merge_record', 'merge_window', 'merge_watermark'])
        await db.query(`DELETE FROM transform.${table} WHERE flow = $1`, [f]);
  });

  it('should keep only hashes of emitted windows past the dedup retention and delete them past the history retention', async () => {
    const flow = uniqueName('it-flow');
    const t0 = Date.UTC(2026, 2, 1);
    await repo.transaction(async (tx) => {
      await repo.lockWatermark(tx, flow);
      await repo.writeChanges(
        tx,
        flow,
        changesOf(
          [
            window('ancient', t0 - 30 * HOUR, t0, 'emitted'),
            window('old', t0, t0, 'emitted'),
            window('recent', t0 + 20 * HOUR, t0, 'emitted'),
            window('open', t0 - 30 * HOUR, t0),
            // An emitted window with a pending correction keeps its contributions (the delta needs them).
            window('corrected', t0, t0, 'emitted'),
            {
              ...window('corrected#late', t0, t0),
              baseKey: 'corrected',
              correction: true,
            },
          ],
          t0 + 26 * HOUR,
        ),
      );
    });
    expect(await repo.prune(flow, TIMINGS, t0 + 26 * HOUR)).toEqual({
      compacted: 2,
      deleted: 1,
    });
    // A second pass finds nothing new to do.
    expect(await repo.prune(flow, TIMINGS, t0 + 26 * HOUR)).toEqual({
      compacted: 0,
      deleted: 0,
    });
    const left = (await db.query(
      'SELECT window_key FROM transform.merge_window WHERE flow = $1 ORDER BY window_key',
      [flow],
    )) as Array<{ window_key: string }>;
    expect(left.map((r) => r.window_key)).toEqual([
      'corrected',
      'corrected#late',
      'old',
      'open',
      'recent',
    ]);
    const records = (await db.query(
      `SELECT window_key, hash, contribution IS NOT NULL AS kept FROM transform.merge_record
        WHERE flow = $1 ORDER BY window_key`,
      [flow],
    )) as Array<{ window_key: string; hash: string; kept: boolean }>;
    expect(records).toEqual([
      { window_key: 'corrected', hash: 'a'.repeat(64), kept: true },
      { window_key: 'corrected#late', hash: 'a'.repeat(64), kept: true },
      { window_key: 'old', hash: 'a'.repeat(64), kept: false },
      { window_key: 'open', hash: 'a'.repeat(64), kept: true },
      { window_key: 'recent', hash: 'a'.repeat(64), kept: true },
    ]);
    expect(await repo.openStats(flow)).toEqual({
      openWindows: 2,
      openRecords: 2,
      watermark: t0 + 26 * HOUR,
      eventTimes: { partitions: {} },
    });
  });
});
