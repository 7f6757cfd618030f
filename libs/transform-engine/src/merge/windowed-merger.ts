import { createHash, hash as oneShotHash } from 'node:crypto';
import { formatZodIssues } from '@kingbridge/contracts';
import { NonRetriableError } from '@kingbridge/pipeline-core';
import type { AggregateOp } from '../plan/sync-plan.schema';
import { Decimal } from '../util/decimal';
import { formatDateTime, parseDateTime } from '../util/date-time.util';
import { getPath, parsePath, type RecordPath } from '../util/record-path.util';
import { setOwn } from '../util/own-property.util';
import {
  checkContribution,
  mergeStateSnapshotSchema,
} from './merge-state.schema';

const DAY_MS = 86_400_000;

/** Content hash of a tombstone (a record that left its window: cancelled, filtered out or moved). */
export const TOMBSTONE_HASH = '-';

/** Compiled merge settings (see `mergeSchema`). Durations in milliseconds. */
export interface MergeConfig {
  readonly flow: string;
  readonly list: string;
  readonly headerGroup: readonly string[];
  readonly eventTimeField: string;
  readonly sizeMs: number;
  readonly graceMs: number;
  readonly idleTimeoutMs: number;
  /** How long (event time past end + grace) the counted contributions of an emitted window are kept for deltas. */
  readonly dedupRetentionMs: number;
  /**
   * How long (past end + grace) an emitted window's record hashes are kept to drop redeliveries; a record of a
   * window older than this is refused (its earlier count can no longer be known). Default 400 days.
   */
  readonly historyRetentionMs?: number | undefined;
  readonly offsetMinutes: number;
  /** Row fields (inside one list row) forming the row group. */
  readonly bodyGroup: readonly string[];
  readonly calculate: ReadonlyArray<{
    readonly field: string;
    readonly op: AggregateOp;
  }>;
  /** Top-level payload keys kept per record (what the mapping reads); undefined = all. */
  readonly headerKeys?: readonly string[] | undefined;
  /** Row keys kept per row; undefined = all. */
  readonly rowKeys?: readonly string[] | undefined;
  /** Keep a record-level change journal for `takeRecordChanges`. Default false. */
  readonly trackChanges?: boolean | undefined;
}

export const DEFAULT_HISTORY_RETENTION_MS = 400 * DAY_MS;

export interface RawOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** One source record offered to the merger. */
export interface MergeInput {
  readonly sourceId: string;
  readonly contentHash: string;
  readonly fetchedAt: string;
  /** The (filtered) payload. */
  readonly record: Readonly<Record<string, unknown>>;
  readonly offset?: RawOffset | undefined;
  /** The record's version at the source (its modified time, epoch ms): an older version never replaces a newer one. */
  readonly version?: number | undefined;
}

/**
 * A record's stored contribution to a window (JSON-safe): its header and rows, with its input's content hash
 * (a tombstone's: TOMBSTONE_HASH), fetch time, offset and version under short keys.
 */
export interface Contribution {
  readonly h: MergeInput['contentHash'];
  readonly t: number;
  readonly f: MergeInput['fetchedAt'];
  readonly header: Record<string, unknown>;
  readonly rows: Record<string, unknown>[];
  readonly o?: MergeInput['offset'];
  /** Source version (modified time, epoch ms). */
  readonly v?: MergeInput['version'];
  /** Tombstone: the record left this window (it counts nothing; it keeps the version that removed it). */
  readonly x?: true | undefined;
}

/**
 * Persisted state of one window (one group + one time window, or a pending correction of it).
 * `open`: collecting; `failed`: its emission was dead-lettered (keeps collecting, not due until
 * reopened); `emitted`: its document (and corrections) were produced.
 */
export interface WindowState {
  /** Window key; a pending correction is `<baseKey>#late`. */
  readonly key: string;
  readonly baseKey: string;
  readonly group: readonly string[];
  readonly start: number;
  readonly end: number;
  status: 'open' | 'emitted' | 'failed';
  readonly correction: boolean;
  readonly createdAt: number;
  lastSeenAt: number;
  emittedAt?: number | undefined;
  /** Opened when the watermark had already passed its end + grace (catch-up, backfill): closes when idle. */
  behind?: boolean | undefined;
  /** Emitted base windows: how many correction documents were folded into it. */
  corrections?: number | undefined;
  /**
   * Open/failed windows: the pending contributions by source id. Emitted windows: the counted
   * contributions (what its documents carry). Corrections: the pending changes (tombstones for
   * records that left the base window).
   */
  records: Record<string, Contribution>;
  /** Emitted windows past `dedupRetention`: source id -> content hash only, for dedup of redeliveries. */
  emitted: Record<string, string>;
}

/** A window without its records: one row of a `merge_window` table. */
export type WindowMeta = Omit<WindowState, 'records' | 'emitted'>;

/**
 * One record-level change, in order: `put` stores (or replaces) a record's
 * contribution in a window; `delete` removes it; `emitted` replaces it
 * by its content hash only (kept for dedup).
 */
export type RecordChange =
  | {
      readonly op: 'put';
      readonly windowKey: string;
      readonly sourceId: string;
      readonly contribution: Contribution;
    }
  | {
      readonly op: 'delete';
      readonly windowKey: string;
      readonly sourceId: string;
    }
  | {
      readonly op: 'emitted';
      readonly windowKey: string;
      readonly sourceId: string;
      readonly hash: string;
    };

/**
 * Everything changed since the previous `takeRecordChanges`. Apply in this order:
 * delete `deletedWindows` (with all their records), upsert `windows`, apply
 * `records` in order, store `watermark` — in one database transaction.
 */
export interface MergeChanges {
  readonly watermark: number | null;
  /** The flow's per-partition event times, when this batch changed them (else undefined: leave them). */
  readonly eventTimes?: EventTimes | undefined;
  readonly deletedWindows: readonly string[];
  readonly windows: readonly WindowMeta[];
  readonly records: readonly RecordChange[];
}

/** A persisted record row, as read back to rebuild the state. */
export interface PersistedRecord {
  readonly windowKey: string;
  readonly sourceId: string;
  readonly hash: string;
  /** The contribution; null once only the hash is kept (emitted window past dedup retention). */
  readonly contribution: Contribution | null;
}

/** Event time read from one source partition: the highest event time and the wall clock of the last read. */
export interface PartitionTime {
  readonly t: number;
  readonly seen: number;
}

/**
 * A flow's event time per source partition (`<topic>/<partition>`), what its effective watermark is the minimum
 * of (see `effectiveWatermark`). `resumedAt`: when the flow last started reading after a pause of at least the
 * idle timeout (a restart after downtime, a quiet night).
 */
export interface EventTimes {
  readonly resumedAt?: number | undefined;
  readonly partitions: Readonly<Record<string, PartitionTime>>;
}

/** Plain, JSON-serialisable snapshot of the whole merge state. */
export interface MergeStateSnapshot {
  readonly version: 1;
  /** The highest event time read (any partition): history retention; the watermark when no partition is known. */
  readonly watermark: number | null;
  readonly windows: readonly WindowState[];
  readonly eventTimes?: EventTimes | undefined;
}

/** The partition key of a raw record's coordinates in `EventTimes.partitions`. */
export function partitionKey(
  offset: Pick<RawOffset, 'topic' | 'partition'>,
): string {
  return `${offset.topic}/${offset.partition}`;
}

/**
 * The flow's effective watermark: the minimum event time over the partitions that are active, so a partition
 * replaying older history (a restart after downtime, a backfill, a slow consumer) holds back the windows its
 * records still belong to, however far ahead another partition is. A partition is active while it read something
 * within `idleTimeoutMs` (the plan's idle timeout, the same setting that closes a quiet window) — counted from
 * `resumedAt` when that is later, so time the whole flow read nothing (downtime, a quiet spell) does not make the
 * partitions idle: after a restart every known partition gets an idle timeout to be read again before it stops
 * counting. A partition that stays idle no longer holds the watermark back. No partition active (everything quiet):
 * the highest event time read, as is the watermark of a flow that knows no partition (records without offsets:
 * dry-run, reconciliation). A partition never read yet is not known and holds nothing back; the windows it opens
 * behind the watermark close when idle.
 */
export function effectiveWatermark(
  eventTimes: EventTimes | undefined,
  highest: number | null,
  idleTimeoutMs: number,
  nowMs: number,
): number | null {
  let min = Number.POSITIVE_INFINITY;
  for (const p of Object.values(eventTimes?.partitions ?? {})) {
    const since = Math.max(p.seen, eventTimes?.resumedAt ?? p.seen);
    if (nowMs - since < idleTimeoutMs && p.t < min) min = p.t;
  }
  return Number.isFinite(min) ? min : highest;
}

/** Where a record belongs (from `locate`): event time, group values, window and base key. */
export interface RecordLocation {
  readonly t: number;
  readonly group: readonly string[];
  readonly start: number;
  readonly end: number;
  readonly baseKey: string;
  readonly rows: readonly unknown[];
}

const DECIMAL_RE = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

function isDecimalLike(v: unknown): boolean {
  if (typeof v === 'number') return Number.isFinite(v);
  return typeof v === 'string' && DECIMAL_RE.test(v);
}

/**
 * `late`: the record changed a window whose document was already produced (a correction follows);
 * `removed`: it left the merge (filtered out now, e.g. cancelled); `stale`: an older version than the one held.
 */
export type AddStatus =
  'added' | 'replaced' | 'duplicate' | 'late' | 'removed' | 'stale';

export interface AddResult {
  readonly status: AddStatus;
  readonly windowKey: string;
}

/** A merged window ready to map: the merged record plus lineage. */
export interface MergedWindow {
  readonly windowKey: string;
  readonly documentKey: string;
  readonly correctionOf: string | undefined;
  readonly record: Record<string, unknown>;
  readonly sourceIds: readonly string[];
  /** Correction windows: the records it takes out of the group (cancelled or moved away). */
  readonly removedIds: readonly string[];
  /** False for a correction whose changes cancel out: nothing to write, only fold it into the base. */
  readonly hasRows: boolean;
  readonly firstFetchedAt: string;
  readonly rawOffsets: readonly RawOffset[];
}

export interface MergeStats {
  readonly openWindows: number;
  readonly openRecords: number;
  readonly emittedWindows: number;
  readonly watermark: number | null;
}

/** Copies a window and its record maps; contributions (never mutated) are shared. */
function copyWindow(w: WindowState): WindowState {
  return {
    ...w,
    group: [...w.group],
    records: { ...w.records },
    emitted: { ...w.emitted },
  };
}

/** Hash of what a record contributes to its document (stable key order: the kept keys' order). */
function effectiveHash(
  t: number,
  group: readonly string[],
  header: Record<string, unknown>,
  rows: readonly Record<string, unknown>[],
): string {
  // One-shot hash: the same hex digest as createHash('sha1'), without a Hash object per record.
  return oneShotHash('sha1', JSON.stringify([t, group, header, rows]), 'hex');
}

function fail(message: string, fieldPath: string): never {
  throw new NonRetriableError(message, { errorClass: 'mapping', fieldPath });
}

function text(v: unknown): string {
  return v === null || v === undefined
    ? ''
    : typeof v === 'object'
      ? JSON.stringify(v)
      : String(v);
}

function pick(
  source: Readonly<Record<string, unknown>>,
  keys: readonly string[] | undefined,
  skip: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (keys === undefined) {
    for (const k of Object.keys(source))
      if (k !== skip) setOwn(out, k, source[k]);
    return out;
  }
  for (const k of keys) {
    if (k !== skip && Object.prototype.hasOwnProperty.call(source, k))
      setOwn(out, k, source[k]);
  }
  return out;
}

/**
 * The `_window` variables of a window: start, end, date and `compact` — yyyyMMdd for whole days, yyyyMMddHHmm for
 * whole minutes, yyyyMMddHHmmss otherwise — so two windows never share a compact label (bill numbers use it).
 */
export function windowFields(
  start: number,
  end: number,
  sizeMs: number,
  offsetMinutes: number,
): Record<string, string> {
  const compact =
    sizeMs % DAY_MS === 0
      ? 'yyyyMMdd'
      : sizeMs % 60_000 === 0
        ? 'yyyyMMddHHmm'
        : 'yyyyMMddHHmmss';
  return {
    start: formatDateTime(start, 'yyyy-MM-dd HH:mm:ss', offsetMinutes),
    end: formatDateTime(end, 'yyyy-MM-dd HH:mm:ss', offsetMinutes),
    date: formatDateTime(start, 'yyyy-MM-dd', offsetMinutes),
    compact: formatDateTime(start, compact, offsetMinutes),
  };
}

/** How a merger is restored from a snapshot (see `WindowedMerger.restore`). */
export interface RestoreOptions {
  /**
   * The snapshot's record maps are handed over: the merger changes them in place (no copy) and trusts their
   * entries (checked where they were read, e.g. by the repository). The caller must not use them afterwards
   * except through the changes the merger reports. Default false: copied and checked.
   */
  readonly handedOver?: boolean | undefined;
  /**
   * Only these records will be looked up (a batch's, whose windows the snapshot holds): the index covers them
   * only, at a cost of ids × windows instead of every record held. Default: every record.
   */
  readonly sourceIds?: readonly string[] | undefined;
}

/** A window an index entry may point to, ranked (see `considerIndex`). */
interface IndexCandidate {
  readonly key: string;
  readonly rank: number;
  readonly v: number;
}

/** Keeps the better of the current candidate and (key, c): a live entry beats a tombstone, then the newer version. */
function considerIndex(
  best: Map<string, IndexCandidate>,
  id: string,
  key: string,
  c: Contribution | undefined,
): void {
  const rank = c?.x ? 1 : 2;
  const v = c?.v ?? Number.NEGATIVE_INFINITY;
  const cur = best.get(id);
  if (!cur || rank > cur.rank || (rank === cur.rank && v > cur.v))
    best.set(id, { key, rank, v });
}

/** Where the latest version of a record lives: the base window the index points to and its entry there. */
interface Latest {
  readonly key: string;
  /** The latest contribution (a pending change of the window's correction, else its own entry); may be a tombstone. */
  readonly c: Contribution | undefined;
  readonly hash: string;
  /** Only the hash is left (emitted window past dedup retention). */
  readonly pruned: boolean;
}

/**
 * Tumbling event-time windows per header group, with row aggregation (the
 * seeds' `groupCalculate`). Pure and synchronous; the state is a plain object
 * the service persists (snapshot / takeChanges) before committing offsets.
 *
 * Lifecycle: `add` every record → persist → `due(now)` → for each key
 * `emit(key)` → map the document → `markEmitted(key)` → persist (with the
 * document, in one transaction: the service's outbox).
 *
 * Changes after write: an emitted window keeps the contributions it counted
 * (for `dedupRetention`). A record that changes what its document reads, moves
 * to another window or leaves the merge (`remove`: cancelled, filtered out)
 * after its window was emitted goes to the window's correction (`<key>#late`),
 * emitted as its own document carrying exactly the delta per row group
 * (negative lines for what left, positive for what arrived), so the documents of
 * a group always add up to the latest versions of its records. A move is a
 * delta on both windows. Redeliveries (same effective content) and older versions
 * (`version` below the one held) are dropped. A record is late only if its own
 * window was emitted before it arrived; a window opened behind the watermark
 * (catch-up, backfill) closes when idle, not at once, and so does a window opened
 * after its close by the wall clock once the watermark reached the live edge
 * (yesterday's pages read between today's live records).
 *
 * Event time advances per source partition (the records' `offset`): the watermark that closes windows is the
 * minimum over the active partitions (`effectiveWatermark`), so a partition far ahead never closes a window that
 * a slower partition (replaying history after a restart, a backfill) is still reading; the highest event time
 * read is kept too, for history retention.
 */
export class WindowedMerger {
  private readonly windows = new Map<string, WindowState>();
  /** sourceId -> key of the base window (open or emitted) holding its latest version. */
  private readonly index = new Map<string, string>();
  /** Highest event time read over all partitions (history retention; the fallback of the effective watermark). */
  private watermark: number | null = null;
  private partitions = new Map<string, PartitionTime>();
  private resumedAt: number | undefined;
  private eventTimesChanged = false;
  private readonly dirty = new Set<string>();
  private readonly deleted = new Set<string>();
  private journal: RecordChange[] = [];
  private readonly historyRetentionMs: number;
  private readonly listPath: RecordPath;
  private readonly groupPaths: readonly RecordPath[];
  private readonly timePath: RecordPath;
  private readonly bodyPaths: readonly RecordPath[];
  private readonly calcPaths: ReadonlyArray<{
    field: string;
    path: RecordPath;
    op: AggregateOp;
  }>;

  constructor(
    readonly config: MergeConfig,
    snapshot?: MergeStateSnapshot,
  ) {
    this.historyRetentionMs =
      config.historyRetentionMs ?? DEFAULT_HISTORY_RETENTION_MS;
    this.listPath = parsePath(config.list);
    this.groupPaths = config.headerGroup.map(parsePath);
    this.timePath = parsePath(config.eventTimeField);
    this.bodyPaths = config.bodyGroup.map(parsePath);
    this.calcPaths = config.calculate.map((c) => ({
      ...c,
      path: parsePath(c.field),
    }));
    if (snapshot) this.load(snapshot);
  }

  /** Rebuilds a merger from a snapshot taken by `snapshot()` (or assembled from persisted windows). */
  static restore(
    config: MergeConfig,
    snapshot: MergeStateSnapshot,
    options: RestoreOptions = {},
  ): WindowedMerger {
    const merger = new WindowedMerger(config);
    merger.load(snapshot, options);
    return merger;
  }

  private load(input: MergeStateSnapshot, options: RestoreOptions = {}): void {
    const parsed = mergeStateSnapshotSchema.safeParse(input);
    if (!parsed.success) {
      throw new Error(
        `invalid merge state for flow ${this.config.flow}: ${formatZodIssues(parsed.error)}`,
      );
    }
    this.watermark = parsed.data.watermark;
    this.partitions = new Map(
      Object.entries(parsed.data.eventTimes?.partitions ?? {}),
    );
    this.resumedAt = parsed.data.eventTimes?.resumedAt;
    // zod returned fresh window objects; record maps are the snapshot's own (z.custom does not copy them) and
    // contributions are shared with the caller and never mutated (treat them as read-only).
    if (options.handedOver) {
      // The maps are the merger's from now on and their contributions were checked where they were read.
      for (const w of parsed.data.windows)
        this.windows.set(w.key, w as WindowState);
    } else this.loadCopies(parsed.data.windows as WindowState[]);
    if (options.sourceIds) this.indexOnly(options.sourceIds);
    else this.indexAll();
  }

  /** Copies the snapshot's windows (the caller's snapshot stays untouched), checking every stored entry. */
  private loadCopies(windows: readonly WindowState[]): void {
    windows.forEach((parsedWindow, i) => {
      const w = copyWindow(parsedWindow);
      for (const [id, hash] of Object.entries(w.emitted)) {
        if (typeof hash !== 'string') {
          throw new Error(
            `invalid merge state for flow ${this.config.flow}: windows[${i}].emitted.${id}: expected a content hash`,
          );
        }
      }
      for (const [id, c] of Object.entries(w.records)) {
        const problem = checkContribution(c);
        if (problem) {
          throw new Error(
            `invalid merge state for flow ${this.config.flow}: windows[${i}].records.${id}.${problem}`,
          );
        }
      }
      this.windows.set(w.key, w);
    });
  }

  /**
   * Indexes each record by the window holding its latest version: a live entry beats a tombstone (a record
   * moved away leaves one behind in the old window's correction), then the newer version.
   */
  private indexAll(): void {
    const best = new Map<string, IndexCandidate>();
    for (const w of this.windows.values()) {
      if (w.correction) {
        for (const [id, c] of Object.entries(w.records))
          considerIndex(best, id, w.baseKey, c);
        continue;
      }
      const pending = this.windows.get(`${w.key}#late`)?.records ?? {};
      for (const [id, c] of Object.entries(w.records))
        considerIndex(best, id, w.key, pending[id] ?? c);
      for (const id of Object.keys(w.emitted))
        considerIndex(best, id, w.key, pending[id]);
    }
    for (const [id, b] of best) this.index.set(id, b.key);
  }

  /**
   * `indexAll` for these records only, in the same order (so the same window wins): what a batch looks up.
   * Costs ids × windows, not the windows' records.
   */
  private indexOnly(sourceIds: readonly string[]): void {
    const windows = [...this.windows.values()];
    const best = new Map<string, IndexCandidate>();
    for (const id of new Set(sourceIds)) {
      for (const w of windows) {
        if (w.correction) {
          if (Object.hasOwn(w.records, id))
            considerIndex(best, id, w.baseKey, w.records[id]);
          continue;
        }
        const inRecords = Object.hasOwn(w.records, id);
        const inEmitted = Object.hasOwn(w.emitted, id);
        if (!inRecords && !inEmitted) continue;
        const pending = this.windows.get(`${w.key}#late`)?.records;
        const p =
          pending && Object.hasOwn(pending, id) ? pending[id] : undefined;
        if (inRecords) considerIndex(best, id, w.key, p ?? w.records[id]);
        if (inEmitted) considerIndex(best, id, w.key, p);
      }
    }
    for (const [id, b] of best) this.index.set(id, b.key);
  }

  /**
   * Validates a record for merging and tells where it belongs: group values,
   * window bounds and base key. Throws NonRetriableError (mapping) with the
   * field path when the event time, a group key or a summed number is bad.
   */
  locate(record: Readonly<Record<string, unknown>>): RecordLocation {
    const t = parseDateTime(
      getPath(record, this.timePath),
      this.config.offsetMinutes,
    );
    if (t === undefined)
      fail(
        `event time '${this.config.eventTimeField}' is missing or not a date`,
        this.config.eventTimeField,
      );
    const group = this.groupPaths.map((p, i) => {
      const v = getPath(record, p);
      if (v === null || v === undefined || v === '')
        fail(
          `group key '${this.config.headerGroup[i]}' is missing`,
          this.config.headerGroup[i] as string,
        );
      return text(v);
    });
    const rows = getPath(record, this.listPath);
    if (!Array.isArray(rows))
      fail(`detail list '${this.config.list}' is missing`, this.config.list);
    rows.forEach((row, i) => {
      for (const c of this.calcPaths) {
        if (c.op === '$sum' || c.op === '$min' || c.op === '$max') {
          const v = getPath(row, c.path);
          if (v !== null && v !== undefined && v !== '' && !isDecimalLike(v)) {
            fail(
              `'${text(v)}' is not a number`,
              `${this.config.list}[${i}].${c.field}`,
            );
          }
        }
      }
    });
    const off = this.config.offsetMinutes * 60_000;
    const start =
      Math.floor((t + off) / this.config.sizeMs) * this.config.sizeMs - off;
    return {
      t,
      group,
      start,
      end: start + this.config.sizeMs,
      baseKey: this.documentKey(group, start),
      rows,
    };
  }

  /** Checks and places one record. Throws NonRetriableError (mapping) for a record that cannot be merged. */
  add(input: MergeInput, nowMs: number, location?: RecordLocation): AddResult {
    const loc = location ?? this.locate(input.record);
    if (input.offset) this.advance(partitionKey(input.offset), loc.t, nowMs);
    const header = pick(
      input.record,
      this.config.headerKeys,
      this.listPath[0] as string,
    );
    const rows = loc.rows.map((r) =>
      pick((r ?? {}) as Record<string, unknown>, this.config.rowKeys, ''),
    );
    // The dedup hash covers only what the document reads (event time, group, kept header and row fields): a
    // source update of anything else (a memo, a status past the filter) is a no-op, not a correction document.
    const h = effectiveHash(loc.t, loc.group, header, rows);
    const latest = this.latest(input.sourceId);
    if (latest && !latest.c?.x) {
      // The raw content hash still counts: state persisted before the effective hash existed holds it.
      if (latest.hash === h || latest.hash === input.contentHash)
        return { status: 'duplicate', windowKey: latest.key };
    }
    if (latest && this.isOlder(input.version, latest.c))
      return { status: 'stale', windowKey: latest.key };
    if (latest?.pruned) this.failPruned(input.sourceId, latest.key);
    if (
      !this.windows.has(loc.baseKey) &&
      this.watermark !== null &&
      loc.end + this.config.graceMs + this.historyRetentionMs <= this.watermark
    ) {
      fail(
        `record ${input.sourceId} belongs to window ${loc.baseKey}, closed longer ago than the flow's history ` +
          'retention: whether it was counted can no longer be told; correct the Kingdee document by hand',
        this.config.eventTimeField,
      );
    }
    let corrected = false;
    if (latest) {
      corrected = this.takeOut(input.sourceId, latest, input, nowMs, false);
    }
    const contribution: Contribution = {
      h,
      t: loc.t,
      f: input.fetchedAt,
      header,
      rows,
      ...(input.offset ? { o: input.offset } : {}),
      ...(input.version !== undefined ? { v: input.version } : {}),
    };
    const placed = this.place(input.sourceId, contribution, loc, nowMs);
    if (latest && latest.key !== loc.baseKey) this.dropIfEmpty(latest.key);
    if (placed.status === 'added' && latest) {
      return corrected
        ? { status: 'late', windowKey: `${latest.key}#late` }
        : { status: 'replaced', windowKey: placed.windowKey };
    }
    return placed;
  }

  /**
   * A record that no longer passes the plan's filters (cancelled, moved out of the status the flow syncs):
   * takes it out of its window — out of an emitted one through a correction with negative lines. Returns
   * undefined when the merger never counted it.
   */
  remove(
    sourceId: string,
    input: Pick<MergeInput, 'fetchedAt' | 'version'>,
    nowMs: number,
  ): AddResult | undefined {
    const latest = this.latest(sourceId);
    if (!latest || latest.c?.x) return undefined;
    if (this.isOlder(input.version, latest.c))
      return { status: 'stale', windowKey: latest.key };
    if (latest.pruned) this.failPruned(sourceId, latest.key);
    const corrected = this.takeOut(sourceId, latest, input, nowMs, true);
    this.index.set(sourceId, latest.key);
    return {
      status: 'removed',
      windowKey: corrected ? `${latest.key}#late` : latest.key,
    };
  }

  /**
   * A record of `key` was read (placed, or a redelivery): the partition's event time and last read move forward.
   * The first read after the flow read nothing for the idle timeout (a restart, a quiet spell) marks a resume.
   */
  private advance(key: string, t: number, nowMs: number): void {
    let last = this.resumedAt ?? Number.NEGATIVE_INFINITY;
    for (const p of this.partitions.values()) last = Math.max(last, p.seen);
    if (nowMs - last >= this.config.idleTimeoutMs) this.resumedAt = nowMs;
    const p = this.partitions.get(key);
    this.partitions.set(key, {
      t: Math.max(p?.t ?? t, t),
      seen: Math.max(p?.seen ?? nowMs, nowMs),
    });
    this.eventTimesChanged = true;
  }

  /** The flow's effective watermark at `nowMs` (see `effectiveWatermark`). */
  effectiveWatermark(nowMs: number): number | null {
    return effectiveWatermark(
      this.eventTimes(),
      this.watermark,
      this.config.idleTimeoutMs,
      nowMs,
    );
  }

  /** The per-partition event times (a copy). */
  eventTimes(): EventTimes {
    return {
      ...(this.resumedAt !== undefined ? { resumedAt: this.resumedAt } : {}),
      partitions: Object.fromEntries(this.partitions),
    };
  }

  /** Where the latest version of a record lives, if the merger holds it. */
  private latest(sourceId: string): Latest | undefined {
    const key = this.index.get(sourceId);
    if (key === undefined) return undefined;
    const pending = this.windows.get(`${key}#late`)?.records[sourceId];
    if (pending) return { key, c: pending, hash: pending.h, pruned: false };
    const w = this.windows.get(key);
    const c = w?.records[sourceId];
    if (c) return { key, c, hash: c.h, pruned: false };
    const hash = w?.emitted[sourceId];
    if (hash !== undefined) return { key, c: undefined, hash, pruned: true };
    return undefined;
  }

  private isOlder(
    version: number | undefined,
    held: Contribution | undefined,
  ): boolean {
    return version !== undefined && held?.v !== undefined && version < held.v;
  }

  private failPruned(sourceId: string, key: string): never {
    fail(
      `record ${sourceId} changed after its merged document ${key} was written, and the window is past the ` +
        "flow's dedupRetention (only its hash is kept): the delta cannot be computed; correct the Kingdee document by hand",
      this.config.list,
    );
  }

  /**
   * Takes a record's latest version out of the window holding it: deleted from an open window (a tombstone when
   * `keep`, so an older version cannot come back), a tombstone in the correction of an emitted one. Returns true
   * when a correction now carries the change.
   */
  private takeOut(
    sourceId: string,
    latest: Latest,
    input: Pick<MergeInput, 'fetchedAt' | 'version'>,
    nowMs: number,
    keep: boolean,
  ): boolean {
    const w = this.windows.get(latest.key);
    if (!w) return false;
    const counted =
      w.status === 'emitted' && w.records[sourceId] && !w.records[sourceId].x
        ? w.records[sourceId]
        : undefined;
    const tombstone = (t: number): Contribution => ({
      h: TOMBSTONE_HASH,
      t,
      f: input.fetchedAt,
      header: {},
      rows: [],
      x: true,
      ...(input.version !== undefined ? { v: input.version } : {}),
    });
    if (w.status === 'emitted') {
      const corr = this.windows.get(`${w.key}#late`);
      if (counted) {
        const target = this.correctionOf(w, nowMs);
        this.putRecord(target, sourceId, tombstone(counted.t));
        target.lastSeenAt = nowMs;
        return true;
      }
      if (corr?.records[sourceId]) {
        if (keep) this.putRecord(corr, sourceId, tombstone(w.start));
        else this.deleteRecord(corr, sourceId);
      }
      if (w.records[sourceId]) this.deleteRecord(w, sourceId);
      return false;
    }
    if (keep) this.putRecord(w, sourceId, tombstone(latest.c?.t ?? w.start));
    else this.deleteRecord(w, sourceId);
    return false;
  }

  /** Puts a contribution into its base window, or into the base's correction when the base was emitted. */
  private place(
    sourceId: string,
    c: Contribution,
    loc: RecordLocation,
    nowMs: number,
  ): AddResult {
    const existing = this.windows.get(loc.baseKey);
    this.index.set(sourceId, loc.baseKey);
    if (this.watermark === null || loc.t > this.watermark)
      this.watermark = loc.t;
    if (existing?.status === 'emitted') {
      const counted = existing.records[sourceId];
      const pendingIn = this.windows.get(`${existing.key}#late`);
      if (counted && !counted.x && counted.h === c.h) {
        // Back to exactly what the written documents count: nothing to correct.
        if (pendingIn?.records[sourceId])
          this.deleteRecord(pendingIn, sourceId);
        this.dropIfEmpty(`${existing.key}#late`);
        return { status: 'replaced', windowKey: existing.key };
      }
      const corr = this.correctionOf(existing, nowMs);
      this.putRecord(corr, sourceId, c);
      corr.lastSeenAt = nowMs;
      return { status: 'late', windowKey: corr.key };
    }
    let base = existing;
    if (!base) {
      base = {
        key: loc.baseKey,
        baseKey: loc.baseKey,
        group: loc.group,
        start: loc.start,
        end: loc.end,
        status: 'open',
        correction: false,
        createdAt: nowMs,
        lastSeenAt: nowMs,
        records: {},
        emitted: {},
      };
      // Opened behind the (effective) watermark (catch-up, backfill): wait until quiet instead of closing at once.
      const wm = this.effectiveWatermark(nowMs);
      if (wm !== null && loc.t !== wm && loc.end + this.config.graceMs <= wm)
        base.behind = true;
      this.windows.set(base.key, base);
    }
    const replaced = base.records[sourceId] !== undefined;
    this.putRecord(base, sourceId, c);
    base.lastSeenAt = nowMs;
    return {
      status: replaced ? 'replaced' : 'added',
      windowKey: base.key,
    };
  }

  /** The open correction window of an emitted base (created when missing). */
  private correctionOf(base: WindowState, nowMs: number): WindowState {
    const key = `${base.key}#late`;
    let corr = this.windows.get(key);
    if (!corr) {
      corr = {
        key,
        baseKey: base.key,
        group: [...base.group],
        start: base.start,
        end: base.end,
        status: 'open',
        correction: true,
        createdAt: nowMs,
        lastSeenAt: nowMs,
        records: {},
        emitted: {},
      };
      this.windows.set(key, corr);
      this.touch(key);
    }
    return corr;
  }

  private putRecord(w: WindowState, sourceId: string, c: Contribution): void {
    w.records[sourceId] = c;
    this.record({
      op: 'put',
      windowKey: w.key,
      sourceId,
      contribution: c,
    });
    this.touch(w.key);
  }

  private deleteRecord(w: WindowState, sourceId: string): void {
    delete w.records[sourceId];
    this.record({ op: 'delete', windowKey: w.key, sourceId });
    this.touch(w.key);
  }

  /** Drops a window that holds nothing any more and was never written (an emptied open window or correction). */
  private dropIfEmpty(key: string): void {
    const w = this.windows.get(key);
    if (!w || w.status === 'emitted') return;
    if (
      Object.keys(w.records).length === 0 &&
      Object.keys(w.emitted).length === 0
    )
      this.drop(key);
  }

  /**
   * Keys of windows ready to emit: the effective watermark (the minimum over the active partitions, see
   * `effectiveWatermark`) passed end + grace (not for a window opened behind it, nor for one opened after its
   * close by a watermark at the live edge unless the caller passes the watermark), or the wall clock passed
   * end + grace and nothing arrived for `idleTimeout`. Also compacts emitted windows past the dedup retention
   * (hashes only) and forgets them past the history retention.
   */
  due(nowMs: number, watermark?: number): string[] {
    const wm =
      watermark ?? this.effectiveWatermark(nowMs) ?? Number.NEGATIVE_INFINITY;
    const out: string[] = [];
    for (const w of this.windows.values()) {
      const closeAt = w.end + this.config.graceMs;
      if (w.status === 'emitted') {
        if (wm >= closeAt + this.historyRetentionMs) this.drop(w.key);
        else if (
          wm >= closeAt + this.config.dedupRetentionMs &&
          !this.windows.has(`${w.key}#late`)
        )
          this.compact(w);
        continue;
      }
      if (w.status === 'failed') continue;
      if (
        (!w.behind &&
          wm >= closeAt &&
          (watermark !== undefined || !this.liveWatermarkOver(w, wm))) ||
        (nowMs >= closeAt && nowMs - w.lastSeenAt >= this.config.idleTimeoutMs)
      )
        out.push(w.key);
    }
    return out.sort();
  }

  /**
   * A window opened after its close by the wall clock (history: a catch-up, a backfill, a correction of a written
   * day) is not closed by a watermark that reached the live edge — event time from around the moment it opened,
   * within grace + idle timeout. Live records say nothing about how far the re-read of history got (the sources
   * page by modified time, so yesterday's records keep coming between today's): such a window closes when idle.
   * A watermark still in the past (an ordered backfill) closes it as any other. Same rule in `lockDueWindows`.
   */
  private liveWatermarkOver(w: WindowState, wm: number): boolean {
    const { graceMs, idleTimeoutMs } = this.config;
    return (
      w.createdAt >= w.end + graceMs &&
      wm >= w.createdAt - graceMs - idleTimeoutMs
    );
  }

  /** End of input (dry-run, reconciliation, benchmarks): every window still collecting, in key order. */
  openWindows(): string[] {
    return [...this.windows.values()]
      .filter((w) => w.status === 'open')
      .map((w) => w.key)
      .sort();
  }

  /** Keeps only the hashes of an emitted window's counted records. */
  private compact(w: WindowState): void {
    for (const [id, c] of Object.entries(w.records)) {
      delete w.records[id];
      if (c.x) {
        this.record({ op: 'delete', windowKey: w.key, sourceId: id });
        continue;
      }
      w.emitted[id] = c.h;
      this.record({ op: 'emitted', windowKey: w.key, sourceId: id, hash: c.h });
    }
    this.touch(w.key);
  }

  /**
   * Builds the merged record of an open window without changing state. A correction carries the delta of
   * its pending changes against what the base's documents counted (the base must hold those records).
   */
  emit(windowKey: string): MergedWindow {
    const w = this.windows.get(windowKey);
    if (!w || w.status === 'emitted')
      throw new Error(`window ${windowKey} is not open`);
    const entries = Object.entries(w.records).sort(
      ([a, ca], [b, cb]) => ca.t - cb.t || (a < b ? -1 : a > b ? 1 : 0),
    );
    if (entries.length === 0) throw new Error(`window ${windowKey} is empty`);
    const live = entries.filter(([, c]) => !c.x);
    const base = w.correction ? this.windows.get(w.baseKey) : undefined;
    const old = w.correction
      ? entries.flatMap(([id]) => {
          const c = base?.records[id];
          return c && !c.x ? [c] : [];
        })
      : [];
    const removedIds = w.correction
      ? entries.flatMap(([id, c]) => {
          const counted = base?.records[id];
          return c.x && counted && !counted.x ? [id] : [];
        })
      : [];
    const rows = w.correction
      ? this.delta(
          live.map(([, c]) => c),
          old,
        )
      : this.aggregate(live.map(([, c]) => c));
    const ids = w.correction
      ? entries.filter(([id, c]) => !c.x || removedIds.includes(id))
      : live;
    const headerSource = live[0]?.[1] ?? old[0];
    const listKey = this.listPath[0] as string;
    const groupObj: Record<string, string> = {};
    this.config.headerGroup.forEach((g, i) => {
      groupObj[g.replace(/\./g, '_')] = w.group[i] as string;
    });
    const record: Record<string, unknown> = {
      ...(headerSource?.header ?? {}),
      [listKey]: rows,
      _group: groupObj,
      _window: windowFields(
        w.start,
        w.end,
        this.config.sizeMs,
        this.config.offsetMinutes,
      ),
      _merge: { records: live.length, correction: w.correction },
    };
    let documentKey = w.baseKey;
    let correctionOf: string | undefined;
    if (w.correction) {
      // The base's correction count makes a repeated change (A→B, B→A, A→B) a new document each time.
      const digest = createHash('sha256')
        .update(
          [
            String(base?.corrections ?? 0),
            ...entries.map(([id, c]) => `${id}:${c.h}`),
          ].join('\n'),
        )
        .digest('hex')
        .slice(0, 10);
      documentKey = `${w.baseKey}#c-${digest}`;
      correctionOf = w.baseKey;
      Object.assign(record._merge as Record<string, unknown>, {
        correctionId: digest,
        removed: removedIds.length,
      });
    }
    const fetched = entries.map(([, c]) => c.f).sort();
    return {
      windowKey,
      documentKey,
      correctionOf,
      record,
      sourceIds: ids.map(([id]) => id),
      removedIds,
      hasRows: rows.length > 0,
      firstFetchedAt: fetched[0] as string,
      rawOffsets: live.flatMap(([, c]) => (c.o ? [c.o] : [])),
    };
  }

  /**
   * Marks a window emitted once its document is durable. A base window keeps its records as the counted
   * contributions; a correction folds its changes into the base (tombstones included) and is dropped.
   */
  markEmitted(windowKey: string, nowMs: number): void {
    const w = this.windows.get(windowKey);
    if (!w || w.status === 'emitted') return;
    if (!w.correction) {
      w.status = 'emitted';
      w.emittedAt = nowMs;
      delete w.behind;
      this.touch(w.key);
      return;
    }
    let base = this.windows.get(w.baseKey);
    if (!base || base.status !== 'emitted') {
      base = {
        ...w,
        key: w.baseKey,
        correction: false,
        status: 'emitted',
        records: base?.records ?? {},
        emitted: base?.emitted ?? {},
      };
      this.windows.set(base.key, base);
    }
    for (const [id, c] of Object.entries(w.records)) {
      this.putRecord(base, id, c);
      if (!c.x || !this.index.has(id)) this.index.set(id, base.key);
    }
    base.corrections = (base.corrections ?? 0) + 1;
    base.emittedAt = nowMs;
    this.touch(base.key);
    this.drop(w.key, false);
  }

  /** The window's emission was dead-lettered: it keeps its records and collects new ones, but is not due. */
  markFailed(windowKey: string): void {
    const w = this.windows.get(windowKey);
    if (!w || w.status === 'emitted') return;
    w.status = 'failed';
    this.touch(w.key);
  }

  /** Per row group: the new contributions' aggregate minus the old ones' ($sum, $count); other ops take the new value. */
  private delta(
    added: readonly Contribution[],
    removed: readonly Contribution[],
  ): Record<string, unknown>[] {
    const now = this.aggregateByGroup(added);
    const before = this.aggregateByGroup(removed);
    const additive = this.calcPaths.some(
      (c) => c.op === '$sum' || c.op === '$count',
    );
    const out: Record<string, unknown>[] = [];
    for (const key of new Set([...now.keys(), ...before.keys()])) {
      const n = now.get(key);
      const b = before.get(key);
      const row: Record<string, unknown> = { ...(n ?? b)?.row };
      let changed = !additive && n !== undefined;
      this.calcPaths.forEach((calc, i) => {
        if (calc.op === '$sum' || calc.op === '$count') {
          const value = (
            calc.op === '$count'
              ? Decimal.of(n?.count ?? 0)
              : ((n?.values[i] as Decimal | undefined) ?? Decimal.ZERO)
          ) as Decimal;
          const was = (
            calc.op === '$count'
              ? Decimal.of(b?.count ?? 0)
              : ((b?.values[i] as Decimal | undefined) ?? Decimal.ZERO)
          ) as Decimal;
          const d = value.sub(was);
          if (!d.isZero()) changed = true;
          row[calc.field] = d;
        } else {
          row[calc.field] = n?.values[i] ?? b?.values[i] ?? null;
        }
      });
      if (changed) out.push(row);
    }
    return out;
  }

  private aggregateByGroup(
    contributions: readonly Contribution[],
  ): Map<
    string,
    { row: Record<string, unknown>; values: unknown[]; count: number }
  > {
    const groups = new Map<
      string,
      { row: Record<string, unknown>; values: unknown[]; count: number }
    >();
    for (const c of contributions) {
      for (const row of c.rows) {
        const key = this.bodyPaths
          .map((p) => text(getPath(row, p)))
          .join('\u001f');
        let acc = groups.get(key);
        if (!acc) {
          acc = { row, values: this.calcPaths.map(() => undefined), count: 0 };
          groups.set(key, acc);
        }
        acc.count += 1;
        this.calcPaths.forEach((calc, i) => {
          const v = getPath(row, calc.path);
          acc.values[i] = this.step(calc.op, acc.values[i], v);
        });
      }
    }
    return groups;
  }

  private aggregate(
    contributions: readonly Contribution[],
  ): Record<string, unknown>[] {
    return [...this.aggregateByGroup(contributions).values()].map((acc) => {
      const out: Record<string, unknown> = { ...acc.row };
      this.calcPaths.forEach((calc, i) => {
        out[calc.field] =
          calc.op === '$count'
            ? Decimal.of(acc.count)
            : (acc.values[i] ?? null);
      });
      return out;
    });
  }

  private step(op: AggregateOp, acc: unknown, v: unknown): unknown {
    const present = v !== null && v !== undefined && v !== '';
    switch (op) {
      case '$sum':
        return present
          ? ((acc as Decimal | undefined) ?? Decimal.ZERO).add(
              Decimal.of(v) as Decimal,
            )
          : (acc ?? Decimal.ZERO);
      case '$min':
      case '$max': {
        if (!present) return acc;
        const d = Decimal.of(v) as Decimal;
        if (acc === undefined) return d;
        const c = d.cmp(acc as Decimal);
        return (op === '$min' ? c < 0 : c > 0) ? d : acc;
      }
      case '$first':
        return acc === undefined ? v : acc;
      case '$last':
        return v;
      case '$count':
        return acc;
    }
  }

  private readonly labels = new Map<number, string>();

  private documentKey(group: readonly string[], start: number): string {
    let label = this.labels.get(start);
    if (label === undefined) {
      label = this.windowLabel(start);
      if (this.labels.size > 1000) this.labels.clear();
      this.labels.set(start, label);
    }
    return `${this.config.flow}:${group.join('|')}:${label}`;
  }

  private windowLabel(start: number): string {
    const size = this.config.sizeMs;
    return formatDateTime(
      start,
      size % DAY_MS === 0
        ? 'yyyy-MM-dd'
        : size % 60_000 === 0
          ? 'yyyy-MM-ddTHH:mm'
          : 'yyyy-MM-ddTHH:mm:ss',
      this.config.offsetMinutes,
    );
  }

  private touch(key: string): void {
    // `deleted` keeps a key even when the window comes back: record-level
    // persistence must drop the old rows first (takeChanges filters it out).
    this.dirty.add(key);
  }

  private drop(key: string, unindex = true): void {
    const w = this.windows.get(key);
    if (!w) return;
    if (unindex) {
      for (const id of [...Object.keys(w.records), ...Object.keys(w.emitted)]) {
        if (this.index.get(id) === key) this.index.delete(id);
      }
    }
    this.windows.delete(key);
    this.dirty.delete(key);
    this.deleted.add(key);
    // The window's rows go with it; earlier ops must not resurrect them if the key comes back.
    if (this.config.trackChanges && this.journal.length > 0) {
      this.journal = this.journal.filter((c) => c.windowKey !== key);
    }
  }

  private record(change: RecordChange): void {
    if (this.config.trackChanges) this.journal.push(change);
  }

  /**
   * The whole state, safe to JSON.stringify and persist. Windows and record
   * maps are copies; contributions are shared and must be treated as read-only.
   */
  snapshot(): MergeStateSnapshot {
    return {
      version: 1,
      watermark: this.watermark,
      windows: [...this.windows.values()].map(copyWindow),
      eventTimes: this.eventTimes(),
    };
  }

  /**
   * Windows changed or deleted since the last call (whole windows, deep
   * copies), for persistence as one row per window key, plus the watermark.
   */
  takeChanges(): {
    upserted: WindowState[];
    deleted: string[];
    watermark: number | null;
  } {
    const upserted = [...this.dirty].flatMap((k) => {
      const w = this.windows.get(k);
      return w ? [copyWindow(w)] : [];
    });
    const deleted = [...this.deleted].filter((k) => !this.windows.has(k));
    this.dirty.clear();
    this.deleted.clear();
    this.journal = [];
    return { upserted, deleted, watermark: this.watermark };
  }

  /**
   * Changes since the previous call at record granularity, for persistence
   * as a window table plus a record table: cost proportional to what
   * changed, not to window size. Requires `trackChanges`. Use either this or
   * `takeChanges`, not both.
   */
  takeRecordChanges(): MergeChanges {
    if (!this.config.trackChanges)
      throw new Error('takeRecordChanges needs MergeConfig.trackChanges');
    const windows = [...this.dirty].flatMap((k) => {
      const w = this.windows.get(k);
      if (!w) return [];
      const { records: _records, emitted: _emitted, ...meta } = w;
      return [{ ...meta, group: [...meta.group] }];
    });
    const changes: MergeChanges = {
      watermark: this.watermark,
      ...(this.eventTimesChanged ? { eventTimes: this.eventTimes() } : {}),
      deletedWindows: [...this.deleted],
      windows,
      records: this.journal,
    };
    this.eventTimesChanged = false;
    this.journal = [];
    this.dirty.clear();
    this.deleted.clear();
    return changes;
  }

  /** Builds a snapshot from persisted window and record rows (see takeRecordChanges). */
  static assembleSnapshot(
    watermark: number | null,
    windows: readonly WindowMeta[],
    records: readonly PersistedRecord[],
    eventTimes?: EventTimes,
  ): MergeStateSnapshot {
    const byKey = new Map<string, WindowState>();
    for (const meta of windows)
      byKey.set(meta.key, {
        ...meta,
        group: [...meta.group],
        records: {},
        emitted: {},
      });
    for (const r of records) {
      const w = byKey.get(r.windowKey);
      if (!w) continue;
      if (r.contribution) w.records[r.sourceId] = r.contribution;
      else w.emitted[r.sourceId] = r.hash;
    }
    return {
      version: 1,
      watermark,
      windows: [...byKey.values()],
      ...(eventTimes ? { eventTimes } : {}),
    };
  }

  stats(): MergeStats {
    let openWindows = 0;
    let openRecords = 0;
    let emittedWindows = 0;
    for (const w of this.windows.values()) {
      if (w.status === 'emitted') {
        emittedWindows += 1;
        continue;
      }
      openWindows += 1;
      for (const c of Object.values(w.records)) if (!c.x) openRecords += 1;
    }
    return {
      openWindows,
      openRecords,
      emittedWindows,
      watermark: this.watermark,
    };
  }

  currentWatermark(): number | null {
    return this.watermark;
  }
}
