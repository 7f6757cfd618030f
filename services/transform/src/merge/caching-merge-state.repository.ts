import type {
  Contribution,
  MergeStateSnapshot,
  RecordChange,
  WindowMeta,
  WindowState,
} from '@kingbridge/transform-engine';
import type { DataSource, QueryRunner } from 'typeorm';
import {
  MergeStateRepository,
  type SnapshotArgs,
} from './merge-state.repository';

/** The records of one window as its `merge_record` rows hold them, with the row version they belong to. */
interface CachedWindow {
  /** `xmin` of the window's `merge_window` row when these records were current. */
  readonly version: string;
  /** Records + hashes held (the cache's bound counts these). */
  readonly size: number;
  readonly records: Record<string, Contribution>;
  readonly emitted: Record<string, string>;
}

/** Per transaction: versions of the windows locked, records read (or taken from the cache) to write back. */
interface TxState {
  readonly versions: Map<string, string>;
  /** `handedOver`: the maps are a merger's (see `handOverSnapshot`), changed in place; else copies to replay on. */
  readonly staged: Map<
    string,
    Omit<CachedWindow, 'version' | 'size'> & { readonly handedOver: boolean }
  >;
}

const cacheKey = (flow: string, windowKey: string): string =>
  `${flow}\u0000${windowKey}`;

const sizeOf = (w: Omit<CachedWindow, 'version' | 'size'>): number =>
  Object.keys(w.records).length + Object.keys(w.emitted).length;

/**
 * MergeStateRepository that keeps the records of the windows a batch read whole (open, failed and correction
 * windows) in memory after the transaction commits, so the next batch touching the same windows does not read
 * (and parse) every `merge_record` row again: on a busy flow the open windows of a day were re-read by every batch.
 *
 * Validity: a cached window is used only when the `xmin` of its `merge_window` row — read under the row lock the
 * batch holds anyway — is the one its records were cached with. Every write of a window's `merge_record` rows
 * updates that row in the same transaction (`writeChanges` recounts `record_count` of every window it touches,
 * `prune` updates the state of the windows it compacts or deletes them), so another instance's or the emitter's
 * change gives the row a new `xmin` and the window is read from Postgres again. The cache is filled only after the
 * transaction committed (a rolled back batch leaves nothing), holds at most `maxRecords` records (least recently
 * used windows go first), and 0 turns it off. Same answers as the base class, fewer rows read.
 */
export class CachingMergeStateRepository extends MergeStateRepository {
  private readonly cache = new Map<string, CachedWindow>();
  private cachedRecords = 0;
  private readonly txs = new WeakMap<QueryRunner, TxState>();
  private readonly onCommit = new WeakMap<QueryRunner, Array<() => void>>();

  constructor(
    dataSource: DataSource,
    private readonly maxRecords: number,
  ) {
    super(dataSource);
  }

  /** Records held (for tests and the log). */
  get size(): number {
    return this.cachedRecords;
  }

  override async lockWindows(
    tx: QueryRunner,
    flow: string,
    keys: readonly string[],
    lock: 'wait' | 'skip' = 'wait',
  ): Promise<WindowMeta[]> {
    if (this.maxRecords <= 0) return super.lockWindows(tx, flow, keys, lock);
    const rows = await this.lockWindowRows(tx, flow, keys, lock);
    if (rows.length === 0) return [];
    const state = this.txState(tx);
    for (const r of rows)
      state.versions.set(cacheKey(flow, r.state.key), r.version);
    return rows.map((r) => r.state);
  }

  protected override async readSnapshot(
    args: SnapshotArgs,
    handOver: boolean,
  ): Promise<MergeStateSnapshot> {
    const [tx, flow, watermark, windows, ids = [], eventTimes] = args;
    const state = this.txs.get(tx);
    if (this.maxRecords <= 0 || state === undefined)
      return super.readSnapshot(args, handOver);
    const whole = (w: WindowMeta): boolean =>
      w.status !== 'emitted' || w.correction;
    const hits = new Map<string, CachedWindow>();
    for (const w of windows) {
      if (!whole(w)) continue;
      const key = cacheKey(flow, w.key);
      const cached = this.cache.get(key);
      const version = state.versions.get(key);
      if (cached !== undefined && version !== undefined) {
        if (cached.version === version) hits.set(w.key, cached);
        else this.evict(key);
      }
    }
    // What the base query reads of emitted windows for the pending corrections it does not read itself.
    const pendingIds = new Set(ids);
    for (const [key, c] of hits)
      if (key.endsWith('#late'))
        for (const id of [...Object.keys(c.records), ...Object.keys(c.emitted)])
          pendingIds.add(id);
    const read = await super.readSnapshot(
      [
        tx,
        flow,
        watermark,
        windows.filter((w) => !hits.has(w.key)),
        [...pendingIds],
        eventTimes,
      ],
      handOver,
    );
    const fromDb = new Map(read.windows.map((w) => [w.key, w]));
    const out: WindowState[] = [];
    for (const meta of windows) {
      const key = cacheKey(flow, meta.key);
      const hit = hits.get(meta.key);
      // A hit's maps are handed over as they are: the entry leaves the cache below.
      const w: WindowState | undefined = hit
        ? {
            ...meta,
            group: [...meta.group],
            records: hit.records,
            emitted: hit.emitted,
          }
        : fromDb.get(meta.key);
      if (w === undefined) continue;
      out.push(w);
      // Staged for the write-back: taken out of the cache while this transaction may change it. Handed over,
      // the maps are the merger's, changed in place by exactly the ops writeChanges replays (a no-op on them
      // then): no copy. Else the caller's snapshot must stay as read, and the write-back works on a copy.
      if (whole(meta) && state.versions.has(key)) {
        if (hit) this.evict(key);
        state.staged.set(
          key,
          handOver
            ? { records: w.records, emitted: w.emitted, handedOver: true }
            : {
                records: { ...w.records },
                emitted: { ...w.emitted },
                handedOver: false,
              },
        );
      }
    }
    return { ...read, windows: out };
  }

  // Takes the base's arguments as they are (one signature, its defaults there) and forwards them all.
  override async writeChanges(
    ...args: Parameters<MergeStateRepository['writeChanges']>
  ): Promise<ReadonlyMap<string, string>> {
    const [tx, flow, changes] = args;
    const written = await super.writeChanges(...args);
    const state = this.txs.get(tx);
    if (this.maxRecords <= 0 || state === undefined) return written;
    const staged = [...state.staged].filter(([key]) =>
      key.startsWith(`${flow}\u0000`),
    );
    if (staged.length === 0) return written;
    // The rows as writeChanges left them: deleted windows lose their records, then the last op per record wins.
    // Handed-over maps are there already (the merger made exactly these changes in place); one of a window
    // deleted (and maybe opened again) is left out, read from Postgres next time.
    const deleted = new Set(changes.deletedWindows);
    for (const [key, w] of staged) {
      if (!deleted.has(key.slice(flow.length + 1))) continue;
      if (w.handedOver) state.staged.delete(key);
      else
        state.staged.set(key, { records: {}, emitted: {}, handedOver: false });
    }
    if (staged.some(([, w]) => !w.handedOver)) {
      const last = new Map<string, RecordChange>();
      for (const c of changes.records)
        last.set(`${c.windowKey}\u0000${c.sourceId}`, c);
      for (const c of last.values()) {
        const w = state.staged.get(cacheKey(flow, c.windowKey));
        if (!w || w.handedOver) continue;
        delete w.records[c.sourceId];
        delete w.emitted[c.sourceId];
        if (c.op === 'put') w.records[c.sourceId] = c.contribution;
        else if (c.op === 'emitted') w.emitted[c.sourceId] = c.hash;
      }
    }
    const hooks = this.onCommit.get(tx) ?? [];
    for (const [key] of staged) {
      const w = state.staged.get(key);
      state.staged.delete(key);
      // A window not written keeps the version it was locked with; a deleted one has none (unless opened again).
      const windowKey = key.slice(flow.length + 1);
      const version =
        written.get(windowKey) ??
        (deleted.has(windowKey) ? undefined : state.versions.get(key));
      // A second write in this transaction must not reuse the old versions.
      if (version === undefined) state.versions.delete(key);
      else state.versions.set(key, version);
      if (w && version !== undefined) {
        const { records, emitted } = w;
        hooks.push(() =>
          this.put(key, { version, size: sizeOf(w), records, emitted }),
        );
      }
    }
    this.onCommit.set(tx, hooks);
    return written;
  }

  override async transaction<T>(
    work: (tx: QueryRunner) => Promise<T>,
  ): Promise<T> {
    let runner: QueryRunner | undefined;
    try {
      const result = await super.transaction((tx) => {
        runner = tx;
        return work(tx);
      });
      // Committed: what this transaction wrote is what Postgres holds now.
      if (runner) for (const hook of this.onCommit.get(runner) ?? []) hook();
      return result;
    } finally {
      if (runner) {
        this.txs.delete(runner);
        this.onCommit.delete(runner);
      }
    }
  }

  private txState(tx: QueryRunner): TxState {
    let state = this.txs.get(tx);
    if (!state) {
      state = { versions: new Map(), staged: new Map() };
      this.txs.set(tx, state);
    }
    return state;
  }

  private put(key: string, w: CachedWindow): void {
    this.evict(key);
    if (w.size > this.maxRecords) return;
    this.cache.set(key, w);
    this.cachedRecords += w.size;
    for (const [oldest, old] of this.cache) {
      if (this.cachedRecords <= this.maxRecords) break;
      this.cache.delete(oldest);
      this.cachedRecords -= old.size;
    }
  }

  private evict(key: string): void {
    const old = this.cache.get(key);
    if (!old) return;
    this.cache.delete(key);
    this.cachedRecords -= old.size;
  }
}
