import { createHash } from 'node:crypto';
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

/** Compiled merge settings (see `mergeSchema`). Durations in milliseconds. */
export interface MergeConfig {
  readonly flow: string;
  readonly list: string;
  readonly headerGroup: readonly string[];
  readonly eventTimeField: string;
  readonly sizeMs: number;
  readonly graceMs: number;
  readonly idleTimeoutMs: number;
  readonly dedupRetentionMs: number;
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
}

/** A record's stored contribution to an open window (JSON-safe). */
export interface Contribution {
  readonly h: string;
  readonly t: number;
  readonly f: string;
  readonly header: Record<string, unknown>;
  readonly rows: Record<string, unknown>[];
  readonly o?: RawOffset | undefined;
}

/** Persisted state of one window (one group + one time window, or a pending correction of it). */
export interface WindowState {
  /** Window key; a pending correction is `<baseKey>#late`. */
  readonly key: string;
  readonly baseKey: string;
  readonly group: readonly string[];
  readonly start: number;
  readonly end: number;
  status: 'open' | 'emitted';
  readonly correction: boolean;
  readonly createdAt: number;
  lastSeenAt: number;
  emittedAt?: number | undefined;
  /** Open windows: contributions by source id. */
  records: Record<string, Contribution>;
  /** Emitted windows: source id -> content hash, for dedup of redeliveries. */
  emitted: Record<string, string>;
}

/** A window without its records: one row of a `merge_window` table. */
export type WindowMeta = Omit<WindowState, 'records' | 'emitted'>;

/**
 * One record-level change, in order: `put` stores (or replaces) a record's
 * contribution in an open window; `delete` removes it; `emitted` replaces it
 * by its content hash only (the window was emitted; kept for dedup).
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
  readonly deletedWindows: readonly string[];
  readonly windows: readonly WindowMeta[];
  readonly records: readonly RecordChange[];
}

/** A persisted record row, as read back to rebuild the state. */
export interface PersistedRecord {
  readonly windowKey: string;
  readonly sourceId: string;
  readonly hash: string;
  /** Present while the window is open; null once emitted. */
  readonly contribution: Contribution | null;
}

/** Plain, JSON-serialisable snapshot of the whole merge state. */
export interface MergeStateSnapshot {
  readonly version: 1;
  readonly watermark: number | null;
  readonly windows: readonly WindowState[];
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

export type AddStatus = 'added' | 'replaced' | 'duplicate' | 'late';

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
  return createHash('sha1')
    .update(JSON.stringify([t, group, header, rows]))
    .digest('hex');
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
 * Tumbling event-time windows per header group, with row aggregation (the
 * seeds' `groupCalculate`). Pure and synchronous; the state is a plain object
 * the service persists (snapshot / takeChanges) before committing offsets.
 *
 * Lifecycle: `add` every record → persist → `due(now)` → for each key
 * `emit(key)` → map + produce the document → `markEmitted(key)` → persist.
 * A crash between produce and markEmitted re-emits the same document key.
 *
 * Late records: a record for a window that is already emitted, or whose
 * end + grace the watermark has passed, goes to a correction window
 * (`<key>#late`) that is emitted as its own document with `correctionOf`
 * set and a key/bill number derived from its content. Redeliveries of a
 * record already counted (same sourceId and the same content hash, or the same
 * effective content: what the document reads) are dropped. A record that changes
 * what its document reads after that document was emitted is refused
 * (NonRetriableError, mapping): a correction would count it twice.
 */
export class WindowedMerger {
  private readonly windows = new Map<string, WindowState>();
  /** sourceId -> key of the window (open or emitted) holding it. */
  private readonly index = new Map<string, string>();
  private watermark: number | null = null;
  private readonly dirty = new Set<string>();
  private readonly deleted = new Set<string>();
  private journal: RecordChange[] = [];
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
  ): WindowedMerger {
    return new WindowedMerger(config, snapshot);
  }

  private load(input: MergeStateSnapshot): void {
    const parsed = mergeStateSnapshotSchema.safeParse(input);
    if (!parsed.success) {
      throw new Error(
        `invalid merge state for flow ${this.config.flow}: ${formatZodIssues(parsed.error)}`,
      );
    }
    this.watermark = parsed.data.watermark;
    // zod returned fresh window objects and record maps; contributions are
    // shared with the caller and never mutated (treat them as read-only).
    parsed.data.windows.forEach((parsedWindow, i) => {
      // Record maps are not copied by z.custom: copy them so the caller's snapshot stays untouched.
      const w = copyWindow(parsedWindow as WindowState);
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
    for (const w of this.windows.values()) {
      for (const id of Object.keys(w.emitted)) this.index.set(id, w.key);
    }
    for (const w of this.windows.values()) {
      for (const id of Object.keys(w.records)) this.index.set(id, w.key);
    }
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
    const {
      t,
      group,
      start,
      end,
      baseKey,
      rows: rawRows,
    } = location ?? this.locate(input.record);

    const header = pick(
      input.record,
      this.config.headerKeys,
      this.listPath[0] as string,
    );
    const rows = rawRows.map((r) =>
      pick((r ?? {}) as Record<string, unknown>, this.config.rowKeys, ''),
    );
    // The dedup hash covers only what the document reads (event time, group, kept header and row fields): a
    // source update of anything else (a memo, a status past the filter) is a no-op, not a correction document.
    const h = effectiveHash(t, group, header, rows);
    // The raw content hash still counts: state persisted before this hash existed holds it.
    const same = (known: string | undefined): boolean =>
      known !== undefined && (known === h || known === input.contentHash);

    // Redelivery / update of a record already known.
    const knownKey = this.index.get(input.sourceId);
    if (knownKey !== undefined) {
      const known = this.windows.get(knownKey);
      const knownHash = known
        ? known.status === 'open'
          ? known.records[input.sourceId]?.h
          : known.emitted[input.sourceId]
        : undefined;
      if (same(knownHash)) return { status: 'duplicate', windowKey: knownKey };
      if (known?.status === 'emitted' && knownHash !== undefined) {
        // Only hashes are kept once a window is emitted: a correction could add the new version but not
        // take the old one out, and the group would count the record twice. Stop it loudly instead.
        fail(
          `record ${input.sourceId} changed after its merged document ${known.key} was emitted ` +
            '(a field the document reads); a correction would count it twice: correct the Kingdee document by hand',
          this.config.list,
        );
      }
      if (known && known.status === 'open' && known.records[input.sourceId]) {
        // An update replaces the old contribution wherever it now belongs.
        delete known.records[input.sourceId];
        this.record({
          op: 'delete',
          windowKey: known.key,
          sourceId: input.sourceId,
        });
        this.touch(known.key);
        if (Object.keys(known.records).length === 0) this.drop(known.key);
      }
      const corr = this.windows.get(`${knownKey}#late`);
      if (same(corr?.records[input.sourceId]?.h))
        return { status: 'duplicate', windowKey: corr?.key ?? knownKey };
    }

    const contribution: Contribution = {
      h,
      t,
      f: input.fetchedAt,
      header,
      rows,
      o: input.offset,
    };

    const base = this.windows.get(baseKey);
    const isLate =
      (base !== undefined && base.status === 'emitted') ||
      (base === undefined &&
        this.watermark !== null &&
        end + this.config.graceMs <= this.watermark);
    const key = isLate ? `${baseKey}#late` : baseKey;
    let target = this.windows.get(key);
    if (!target) {
      target = {
        key,
        baseKey,
        group,
        start,
        end,
        status: 'open',
        correction: isLate,
        createdAt: nowMs,
        lastSeenAt: nowMs,
        records: {},
        emitted: {},
      };
      this.windows.set(key, target);
    }
    const replaced =
      target.records[input.sourceId] !== undefined || knownKey !== undefined;
    target.records[input.sourceId] = contribution;
    this.record({
      op: 'put',
      windowKey: key,
      sourceId: input.sourceId,
      contribution,
    });
    target.lastSeenAt = nowMs;
    if (!isLate) this.index.set(input.sourceId, key);
    this.touch(key);
    if (this.watermark === null || t > this.watermark) this.watermark = t;
    return {
      status: isLate ? 'late' : replaced ? 'replaced' : 'added',
      windowKey: key,
    };
  }

  /**
   * Keys of windows ready to emit: the watermark passed end + grace, or the
   * wall clock passed end + grace and nothing arrived for `idleTimeout`.
   * Also forgets emitted windows older than the dedup retention.
   */
  due(nowMs: number, watermark?: number): string[] {
    const wm = watermark ?? this.watermark ?? Number.NEGATIVE_INFINITY;
    const out: string[] = [];
    for (const w of this.windows.values()) {
      const closeAt = w.end + this.config.graceMs;
      if (w.status === 'emitted') {
        if (wm >= closeAt + this.config.dedupRetentionMs) this.drop(w.key);
        continue;
      }
      if (
        wm >= closeAt ||
        (nowMs >= closeAt && nowMs - w.lastSeenAt >= this.config.idleTimeoutMs)
      )
        out.push(w.key);
    }
    return out.sort();
  }

  /** Builds the merged record of an open window without changing state. */
  emit(windowKey: string): MergedWindow {
    const w = this.windows.get(windowKey);
    if (!w || w.status !== 'open')
      throw new Error(`window ${windowKey} is not open`);
    const entries = Object.entries(w.records).sort(
      ([a, ca], [b, cb]) => ca.t - cb.t || (a < b ? -1 : a > b ? 1 : 0),
    );
    const ids = entries.map(([id]) => id);
    const contributions = entries.map(([, c]) => c);
    const first = contributions[0];
    if (!first) throw new Error(`window ${windowKey} is empty`);
    const rows = this.aggregate(contributions);
    const listKey = this.listPath[0] as string;
    const sizeIsDays = this.config.sizeMs % DAY_MS === 0;
    const off = this.config.offsetMinutes;
    const groupObj: Record<string, string> = {};
    this.config.headerGroup.forEach((g, i) => {
      groupObj[g.replace(/\./g, '_')] = w.group[i] as string;
    });
    const record: Record<string, unknown> = {
      ...first.header,
      [listKey]: rows,
      _group: groupObj,
      _window: {
        start: formatDateTime(w.start, 'yyyy-MM-dd HH:mm:ss', off),
        end: formatDateTime(w.end, 'yyyy-MM-dd HH:mm:ss', off),
        date: formatDateTime(w.start, 'yyyy-MM-dd', off),
        compact: formatDateTime(
          w.start,
          sizeIsDays ? 'yyyyMMdd' : 'yyyyMMddHHmm',
          off,
        ),
      },
      _merge: { records: contributions.length, correction: w.correction },
    };
    let documentKey = w.baseKey;
    let correctionOf: string | undefined;
    if (w.correction) {
      const digest = createHash('sha256')
        .update(
          ids
            .map((id) => `${id}:${(w.records[id] as Contribution).h}`)
            .join('\n'),
        )
        .digest('hex')
        .slice(0, 10);
      documentKey = `${w.baseKey}#c-${digest}`;
      correctionOf = w.baseKey;
      (record._merge as Record<string, unknown>).correctionId = digest;
    }
    const fetched = contributions.map((c) => c.f).sort();
    return {
      windowKey,
      documentKey,
      correctionOf,
      record,
      sourceIds: ids,
      firstFetchedAt: fetched[0] as string,
      rawOffsets: contributions.flatMap((c) => (c.o ? [c.o] : [])),
    };
  }

  /** Marks a window emitted after its document was produced; keeps record hashes for dedup. */
  markEmitted(windowKey: string, nowMs: number): void {
    const w = this.windows.get(windowKey);
    if (!w || w.status !== 'open') return;
    const hashes: Record<string, string> = {};
    for (const [id, c] of Object.entries(w.records)) hashes[id] = c.h;
    if (w.correction) {
      // Fold the correction's records into the emitted base window (created if it was pruned).
      let base = this.windows.get(w.baseKey);
      if (!base || base.status !== 'emitted') {
        base = {
          ...w,
          key: w.baseKey,
          correction: false,
          status: 'emitted',
          records: {},
          emitted: {},
        };
        this.windows.set(base.key, base);
      }
      Object.assign(base.emitted, hashes);
      for (const [id, hash] of Object.entries(hashes)) {
        this.index.set(id, base.key);
        this.record({ op: 'emitted', windowKey: base.key, sourceId: id, hash });
      }
      base.emittedAt = nowMs;
      this.touch(base.key);
      this.drop(w.key, false);
      return;
    }
    w.status = 'emitted';
    w.emittedAt = nowMs;
    w.records = {};
    w.emitted = hashes;
    for (const [id, hash] of Object.entries(hashes)) {
      this.record({ op: 'emitted', windowKey: w.key, sourceId: id, hash });
    }
    this.touch(w.key);
  }

  private aggregate(
    contributions: readonly Contribution[],
  ): Record<string, unknown>[] {
    interface Acc {
      row: Record<string, unknown>;
      values: unknown[];
      count: number;
    }
    const groups = new Map<string, Acc>();
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
    return [...groups.values()].map((acc) => {
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
    return formatDateTime(
      start,
      this.config.sizeMs % DAY_MS === 0 ? 'yyyy-MM-dd' : 'yyyy-MM-ddTHH:mm',
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
      deletedWindows: [...this.deleted],
      windows,
      records: this.journal,
    };
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
      if (w.status === 'open') {
        if (r.contribution) w.records[r.sourceId] = r.contribution;
      } else w.emitted[r.sourceId] = r.hash;
    }
    return { version: 1, watermark, windows: [...byKey.values()] };
  }

  stats(): MergeStats {
    let openWindows = 0;
    let openRecords = 0;
    let emittedWindows = 0;
    for (const w of this.windows.values()) {
      if (w.status === 'open') {
        openWindows += 1;
        openRecords += Object.keys(w.records).length;
      } else emittedWindows += 1;
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
