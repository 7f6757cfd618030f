import type { OutboundDocument, RawRecord } from '@kingbridge/contracts';
import {
  NonRetriableError,
  PipelineError,
  RetriableError,
} from '@kingbridge/pipeline-core';
import {
  LookupMiss,
  type LookupProvider,
  type LookupQuery,
} from '../lookup/lookup-provider';
import {
  applyConditions,
  compileConditions,
  type CompiledConditions,
} from '../mapping/condition';
import {
  checkFields,
  compileFields,
  mapFields,
  missingDetailList,
  type CompiledField,
} from '../mapping/field-mapper';
import { PlanCompileError } from '../mapping/plan-compile.error';
import {
  collectFieldRefs,
  collectLookupTables,
  collectValueRefs,
  type ReferencedKeys,
} from '../mapping/reference-collector';
import {
  compileValue,
  evalValue,
  type CompiledValue,
  type MapContext,
} from '../mapping/value-template';
import { toText } from '../expression/expression-value';
import {
  WindowedMerger,
  type AddStatus,
  type MergeConfig,
  type MergeStateSnapshot,
  type RawOffset,
  type RecordLocation,
  type RestoreOptions,
  windowFields,
} from '../merge/windowed-merger';
import type { SyncPlan } from '../plan/sync-plan.schema';
import { parseDuration, zoneOffsetMinutes } from '../util/date-time.util';
import { setOwn } from '../util/own-property.util';
import {
  applyPayloadAliases,
  compilePayloadAliases,
  type PayloadAliases,
} from './payload-aliases';
import { getPath, parsePath } from '../util/record-path.util';

/** Variables the engine adds to a record for the mapping (never taken from the payload). */
const SYNTHETIC_KEYS: ReadonlySet<string> = new Set([
  '_window',
  '_group',
  '_merge',
  '_doc',
]);

const PROBE_MERGE = Object.freeze({ records: 1, correction: false });
const PROBE_DOC = Object.freeze({ billNo: 'probe', documentKey: 'probe' });

/** What happened to one raw record. */
export type RecordOutcome =
  | { readonly outcome: 'filtered'; readonly reason: string }
  | {
      readonly outcome: 'mapped';
      readonly documents: readonly OutboundDocument[];
    }
  | {
      readonly outcome: 'merged';
      readonly status: AddStatus;
      readonly windowKey: string;
    }
  | { readonly outcome: 'failed'; readonly error: PipelineError };

/** Result of emitting one due window. */
export type WindowEmission =
  | {
      readonly windowKey: string;
      readonly document: OutboundDocument;
      readonly sourceIds: readonly string[];
    }
  | {
      /** A correction whose changes cancel out (or only tombstones of records never counted): nothing to write. */
      readonly windowKey: string;
      readonly empty: true;
      readonly sourceIds: readonly string[];
    }
  | {
      readonly windowKey: string;
      readonly error: PipelineError;
      readonly sourceIds: readonly string[];
    };

export interface FlowTransformerOptions {
  readonly lookups: LookupProvider;
  /** Wall clock in epoch ms (injected in tests). */
  readonly clock?: () => number;
  /** Merge flows: map each record on arrival too, so a bad record fails alone (default true). */
  readonly validateOnAdd?: boolean;
  /** Merge flows: keep a change journal for `merger.takeChanges()` (default false). */
  readonly trackMergeChanges?: boolean;
}

/** Where a raw record sat in Kafka (for lineage). */
export interface RecordMeta {
  readonly offset?: RawOffset;
}

const CAMEL_CACHE = new Map<string, string>();

function camelKey(k: string): string {
  let c = CAMEL_CACHE.get(k);
  if (c === undefined) {
    c = k.length > 0 ? k.charAt(0).toLowerCase() + k.slice(1) : k;
    if (CAMEL_CACHE.size < 10_000) CAMEL_CACHE.set(k, c);
  }
  return c;
}

/** Lower-cases the first letter of every key (PascalCase payloads -> camelCase). */
function camelKeys(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(camelKeys);
  const out: Record<string, unknown> = {};
  const source = value as Record<string, unknown>;
  for (const k in source) {
    if (Object.prototype.hasOwnProperty.call(source, k))
      setOwn(out, camelKey(k), camelKeys(source[k]));
  }
  return out;
}

/** A payload value as a withdrawal reason shows it. */
function valueText(v: unknown): string {
  return typeof v === 'string' ||
    typeof v === 'number' ||
    typeof v === 'boolean'
    ? String(v)
    : (JSON.stringify(v) ?? String(v));
}

function asPipelineError(err: unknown): PipelineError {
  if (err instanceof PipelineError) return err;
  return new NonRetriableError(
    err instanceof Error ? err.message : String(err),
    { errorClass: 'mapping', cause: err },
  );
}

function duration(value: string | number, path: string): number {
  const ms = parseDuration(value);
  if (ms === undefined)
    throw new PlanCompileError(
      path,
      `invalid duration '${String(value)}' (use 30s, 15m, 2h, 1d)`,
    );
  return ms;
}

function stripList(name: string, list: string, path: string): string {
  for (const sep of ['_', '.'])
    if (name.startsWith(`${list}${sep}`)) return name.slice(list.length + 1);
  throw new PlanCompileError(
    path,
    `'${name}' must name a field of '${list}' (${list}_<field>)`,
  );
}

/**
 * One sync plan compiled for execution. Pure: no Kafka, no database.
 * Per-record flows map each record to one document; merge flows buffer
 * records in a WindowedMerger and emit one document per due window.
 */
export class FlowTransformer {
  readonly flow: string;
  readonly offsetMinutes: number;
  readonly merger: WindowedMerger | undefined;
  /** Every lookup table the mapping can query (what `lookupQueries` returns queries of), sorted. */
  readonly lookupTables: readonly string[];
  private readonly sourceFilters: CompiledConditions;
  private readonly recordFilters: CompiledConditions;
  /** Per-record flows: which records failing the filters are withdrawn (undefined: none). */
  private readonly withdrawWhen: CompiledConditions | undefined;
  private readonly fields: readonly CompiledField[];
  private readonly billNo: CompiledValue;
  private readonly documentKey: CompiledValue;
  private readonly clock: () => number;
  private readonly validateOnAdd: boolean;
  private readonly mergeConfig: MergeConfig | undefined;
  private readonly windowFields = new Map<number, Record<string, string>>();
  /** Windows whose header mapping was checked, with the probe record used. */
  private readonly checkedWindows = new Map<string, Record<string, unknown>>();
  private readonly rowFields: readonly CompiledField[];
  private readonly aliases: PayloadAliases | undefined;
  /** Lookup tables whose missing rows may still appear: how long a record waits for them. */
  private readonly retryMissingMs = new Map<string, number>();
  /**
   * Merge flows: a record `mergeKey` filtered and located, for the `process` of the same record object that
   * follows (the consumer asks for the key to lock the window first): filtered and located once, not twice.
   */
  private readonly located = new WeakMap<
    RawRecord,
    {
      readonly record: Record<string, unknown>;
      readonly location: RecordLocation;
    }
  >();

  constructor(
    readonly plan: SyncPlan,
    private readonly options: FlowTransformerOptions,
  ) {
    this.flow = plan.id;
    this.clock = options.clock ?? Date.now;
    this.validateOnAdd = options.validateOnAdd ?? true;
    const offset = zoneOffsetMinutes(plan.timeZone);
    if (offset === undefined)
      throw new PlanCompileError(
        'timeZone',
        `unsupported time zone '${plan.timeZone}'`,
      );
    this.offsetMinutes = offset;
    this.aliases = compilePayloadAliases(
      plan.source.aliases,
      plan.source.flattenLists,
    );
    for (const [table, t] of Object.entries(plan.lookups))
      if (t.missing)
        this.retryMissingMs.set(
          table,
          duration(t.missing.retryFor, `lookups.${table}.missing.retryFor`),
        );
    const lists = new Set<string>();
    this.fields = compileFields(plan.mapping, 'mapping', undefined, lists);
    this.rowFields = this.fields.filter(
      (f) => f.kind === 'array' && f.list !== undefined,
    );
    if (plan.merge) lists.add(plan.merge.list);
    this.sourceFilters = compileConditions(
      plan.source.filters,
      [...lists],
      'source.filters',
    );
    this.recordFilters = compileConditions(plan.filters, [...lists], 'filters');
    const exit = plan.source.filterExit;
    this.withdrawWhen =
      plan.merge || (exit?.action ?? 'withdraw') === 'drop'
        ? undefined
        : compileConditions(exit?.when, [...lists], 'source.filterExit.when');
    this.billNo = compileValue(plan.billNo, {}, 'billNo');
    this.documentKey = compileValue(
      plan.documentKey ?? `{${plan.source.idField}}`,
      {},
      'documentKey',
    );
    this.lookupTables = [
      ...collectLookupTables(this.fields, new Set(), [
        this.billNo,
        this.documentKey,
      ]),
    ].sort();
    if (plan.merge && plan.documentKey) {
      throw new PlanCompileError(
        'documentKey',
        'merged flows derive the document key from group + window; remove documentKey',
      );
    }
    if (!plan.merge) {
      const used: ReferencedKeys = { root: new Set(), row: new Set() };
      collectFieldRefs(this.fields, used);
      collectValueRefs(this.billNo, used);
      collectValueRefs(this.documentKey, used);
      const mergeOnly = ['_window', '_group', '_merge'].find((k) =>
        used.root.has(k),
      );
      if (mergeOnly) {
        throw new PlanCompileError(
          'mapping',
          `{${mergeOnly}.*} exists only in merge flows (add merge: or remove it)`,
        );
      }
    }
    if (plan.merge) {
      const m = plan.merge;
      const keys: ReferencedKeys = { root: new Set(), row: new Set() };
      collectFieldRefs(this.fields, keys);
      collectValueRefs(this.billNo, keys);
      m.headerGroup.forEach((g) => keys.root.add(parsePath(g)[0] as string));
      keys.root.add(parsePath(m.eventTimeField)[0] as string);
      const bodyGroup = m.bodyGroup.map((b, i) =>
        stripList(b, m.list, `merge.bodyGroup[${i}]`),
      );
      const calculate = Object.entries(m.calculate).map(([name, op]) => ({
        field: stripList(name, m.list, `merge.calculate.${name}`),
        op,
      }));
      [...bodyGroup, ...calculate.map((c) => c.field)].forEach((f) =>
        keys.row.add(parsePath(f)[0] as string),
      );
      const sizeMs = duration(m.window.size, 'merge.window.size');
      if (sizeMs <= 0)
        throw new PlanCompileError('merge.window.size', 'must be positive');
      this.mergeConfig = {
        flow: plan.id,
        list: m.list,
        headerGroup: m.headerGroup,
        eventTimeField: m.eventTimeField,
        sizeMs,
        graceMs: duration(m.window.grace, 'merge.window.grace'),
        idleTimeoutMs: duration(
          m.window.idleTimeout,
          'merge.window.idleTimeout',
        ),
        dedupRetentionMs: duration(m.dedupRetention, 'merge.dedupRetention'),
        historyRetentionMs: duration(
          m.historyRetention,
          'merge.historyRetention',
        ),
        offsetMinutes: offset,
        bodyGroup,
        calculate,
        headerKeys: [...keys.root].filter((k) => !SYNTHETIC_KEYS.has(k)),
        rowKeys: [...keys.row],
        trackChanges: options.trackMergeChanges ?? false,
      };
      this.merger = new WindowedMerger(this.mergeConfig);
    }
  }

  /** True when the raw record belongs to this flow's source stream. */
  accepts(raw: Pick<RawRecord, 'platform' | 'entity' | 'stream'>): boolean {
    const s = this.plan.source;
    return (
      raw.platform === s.platform &&
      raw.entity === s.entity &&
      raw.stream === s.stream
    );
  }

  private payload(raw: RawRecord): Record<string, unknown> {
    const payload =
      this.plan.source.normalizeKeys === 'camelCase'
        ? (camelKeys(raw.payload) as Record<string, unknown>)
        : raw.payload;
    return this.aliases ? applyPayloadAliases(payload, this.aliases) : payload;
  }

  private filter(raw: RawRecord):
    | { pass: true; record: Record<string, unknown> }
    | {
        pass: false;
        reason: string;
        actual?: unknown;
        record: Record<string, unknown>;
      } {
    const payload = this.payload(raw);
    const source = applyConditions(this.sourceFilters, payload);
    if (!source.pass)
      return {
        ...source,
        reason: `source filter: ${source.reason}`,
        record: payload,
      };
    const rec = applyConditions(this.recordFilters, source.record);
    if (!rec.pass)
      return { ...rec, reason: `filter: ${rec.reason}`, record: payload };
    return rec;
  }

  /**
   * A per-record flow's record that fails the filters and is an exit (`source.filterExit`): the document its
   * passing version would have been, marked withdrawn, or undefined when it is simply filtered (not an exit,
   * or no document key: it could never have been written).
   */
  private withdrawal(
    raw: RawRecord,
    failed: {
      reason: string;
      actual?: unknown;
      record: Record<string, unknown>;
    },
    meta: RecordMeta,
  ): RecordOutcome | undefined {
    if (!this.withdrawWhen) return undefined;
    const record = failed.record;
    if (!applyConditions(this.withdrawWhen, record).pass) return undefined;
    let key: string;
    try {
      key = this.render(this.documentKey, record, 'documentKey');
      this.render(this.billNo, record, 'billNo');
    } catch {
      return undefined;
    }
    const info = this.recordInfo(raw, key, meta);
    const actual =
      failed.actual === undefined ? '' : ` (is ${valueText(failed.actual)})`;
    let document: OutboundDocument;
    try {
      document = this.buildDocument(record, info);
    } catch {
      // Mapped as far as it goes: a lookup row or field the passing version had may be gone.
      document = this.buildDocument(record, info, false);
    }
    return {
      outcome: 'mapped',
      documents: [
        { ...document, withdrawn: { reason: `${failed.reason}${actual}` } },
      ],
    };
  }

  /** Key and lineage of a per-record flow's document. */
  private recordInfo(raw: RawRecord, key: string, meta: RecordMeta) {
    return {
      documentKey: `${this.flow}:${key}`,
      sourceIds: [raw.sourceId],
      firstFetchedAt: raw.fetchedAt,
      rawOffsets: meta.offset ? [meta.offset] : [],
      stream: raw.stream,
      correctionOf: undefined,
      billSuffix: '',
    };
  }

  private context(
    root: unknown,
    collect?: LookupQuery[],
    doc?: { billNo: string; documentKey: string },
  ): MapContext {
    return {
      root,
      doc,
      row: undefined,
      offsetMinutes: this.offsetMinutes,
      nowMs: this.clock(),
      lookups: this.options.lookups,
      collect,
    };
  }

  /**
   * Merge flows: the window key a record belongs to (group + window), or
   * undefined when it is filtered out, cannot be located, or the flow does not
   * merge. All records of one key must reach the same merger instance: use it
   * to re-key records when more than one transform instance consumes a topic.
   */
  mergeKey(raw: RawRecord): string | undefined {
    if (!this.merger) return undefined;
    try {
      const f = this.filter(raw);
      if (!f.pass) return undefined;
      const location = this.merger.locate(f.record);
      this.located.set(raw, { record: f.record, location });
      return location.baseKey;
    } catch {
      return undefined;
    }
  }

  /** Every lookup the record will make, for `LookupProvider.preload` before `process`. */
  lookupQueries(raw: RawRecord): LookupQuery[] {
    try {
      const f = this.filter(raw);
      if (!f.pass) {
        // A withdrawal is mapped as if the record still passed: the same lookups.
        if (
          !this.withdrawWhen ||
          !applyConditions(this.withdrawWhen, f.record).pass
        )
          return [];
        const collect: LookupQuery[] = [];
        mapFields(this.fields, this.context(f.record, collect), {}, '');
        return collect;
      }
      const root = this.merger
        ? this.probeRecord(f.record, this.merger.locate(f.record))
        : f.record;
      const collect: LookupQuery[] = [];
      mapFields(this.fields, this.context(root, collect), {}, '');
      return collect;
    } catch {
      // A record that cannot even be located has no lookups; process() reports why.
      return [];
    }
  }

  /** Maps one raw record, or places it in its merge window. Never throws for bad data. */
  process(raw: RawRecord, meta: RecordMeta = {}): RecordOutcome {
    const located = this.located.get(raw);
    if (located) this.located.delete(raw);
    try {
      const f = located
        ? { pass: true as const, record: located.record }
        : this.filter(raw);
      const version = Date.parse(raw.modifiedAt);
      if (!f.pass) {
        // A merged record that now fails the filters (cancelled after shipping, say) leaves its window: out of
        // an emitted one through a correction with negative lines.
        const removed = this.merger?.remove(
          raw.sourceId,
          {
            fetchedAt: raw.fetchedAt,
            version: Number.isFinite(version) ? version : undefined,
          },
          this.clock(),
        );
        if (removed)
          return {
            outcome: 'merged',
            status: removed.status,
            windowKey: removed.windowKey,
          };
        return (
          this.withdrawal(raw, f, meta) ?? {
            outcome: 'filtered',
            reason: f.reason,
          }
        );
      }
      if (!this.merger) {
        const key = this.render(this.documentKey, f.record, 'documentKey');
        const document = this.buildDocument(
          f.record,
          this.recordInfo(raw, key, meta),
        );
        return { outcome: 'mapped', documents: [document] };
      }
      const location = located?.location ?? this.merger.locate(f.record);
      if (this.validateOnAdd) this.validateForMerge(f.record, location);
      const added = this.merger.add(
        {
          sourceId: raw.sourceId,
          contentHash: raw.contentHash,
          fetchedAt: raw.fetchedAt,
          record: f.record,
          offset: meta.offset,
          version: Number.isFinite(version) ? version : undefined,
        },
        this.clock(),
        location,
      );
      return {
        outcome: 'merged',
        status: added.status,
        windowKey: added.windowKey,
      };
    } catch (err) {
      return { outcome: 'failed', error: this.waitForMissing(err, raw) };
    }
  }

  /**
   * A lookup miss on a table whose rows may still appear (`lookups.<t>.missing`):
   * retriable while the record is younger than `retryFor`, then a final error
   * naming the key and how long it waited.
   */
  private waitForMissing(err: unknown, raw: RawRecord): PipelineError {
    const error = asPipelineError(err);
    const miss = error.cause;
    if (!(miss instanceof LookupMiss)) return error;
    const retryFor = this.retryMissingMs.get(miss.table);
    if (retryFor === undefined) return error;
    const fetched = Date.parse(raw.fetchedAt);
    const left = fetched + retryFor - this.clock();
    const options = {
      errorClass: error.errorClass,
      ...(error.fieldPath ? { fieldPath: error.fieldPath } : {}),
      cause: miss,
    };
    if (left > 0)
      return new RetriableError(
        `${error.message} (yet: retried until ${new Date(fetched + retryFor).toISOString()})`,
        { ...options, retryAfterMs: Math.min(left, 30_000) },
      );
    return new NonRetriableError(
      `${error.message} after waiting ${Math.round(retryFor / 1000)}s`,
      options,
    );
  }

  /** Keys of merge windows ready to emit (see WindowedMerger.due). */
  dueWindows(watermark?: number): string[] {
    return this.merger ? this.merger.due(this.clock(), watermark) : [];
  }

  /** End of input: every merge window still open, as if each had closed (dry-run, reconciliation). */
  openWindows(): string[] {
    return this.merger ? this.merger.openWindows() : [];
  }

  /** Maps a due window into its document (state unchanged; call markEmitted after the produce is acked). */
  emitWindow(windowKey: string): WindowEmission {
    const merger = this.requireMerger();
    const merged = merger.emit(windowKey);
    if (!merged.hasRows)
      return { windowKey, empty: true, sourceIds: merged.sourceIds };
    try {
      const document = this.buildDocument(merged.record, {
        documentKey: merged.documentKey,
        sourceIds: merged.sourceIds,
        firstFetchedAt: merged.firstFetchedAt,
        rawOffsets: merged.rawOffsets,
        stream: this.plan.source.stream,
        correctionOf: merged.correctionOf,
        billSuffix: merged.correctionOf
          ? `-C${String(
              (merged.record._merge as { correctionId: string }).correctionId,
            )
              .slice(0, 6)
              .toUpperCase()}`
          : '',
      });
      return { windowKey, document, sourceIds: merged.sourceIds };
    } catch (err) {
      return {
        windowKey,
        error: asPipelineError(err),
        sourceIds: merged.sourceIds,
      };
    }
  }

  markEmitted(windowKey: string): void {
    this.requireMerger().markEmitted(windowKey, this.clock());
  }

  /** The window's emission was dead-lettered: kept with its records, not due until reopened. */
  markFailed(windowKey: string): void {
    this.requireMerger().markFailed(windowKey);
  }

  /** Replaces the merge state (after a restart) with a persisted snapshot (see `WindowedMerger.restore`). */
  restoreMergeState(
    snapshot: MergeStateSnapshot,
    options?: RestoreOptions,
  ): void {
    const config = this.mergeConfig;
    if (!config) throw new Error(`flow ${this.flow} has no merge`);
    (this as { merger: WindowedMerger | undefined }).merger =
      WindowedMerger.restore(config, snapshot, options);
  }

  private requireMerger(): WindowedMerger {
    if (!this.merger) throw new Error(`flow ${this.flow} has no merge`);
    return this.merger;
  }

  /**
   * Maps what this record will contribute to its window's document, so a bad
   * record fails alone instead of failing the whole window later. Header
   * fields come from the group and the window's first record: they are
   * checked once per window; this record's detail rows are checked always.
   */
  private validateForMerge(
    record: Record<string, unknown>,
    location: RecordLocation,
  ): void {
    let root = this.checkedWindows.get(location.baseKey);
    if (root === undefined) {
      root = this.probeRecord(record, location);
      checkFields(this.fields, this.context(root), '');
      if (this.checkedWindows.size >= 10_000) this.checkedWindows.clear();
      this.checkedWindows.set(location.baseKey, root);
      return;
    }
    const ctx: { -readonly [K in keyof MapContext]: MapContext[K] } =
      this.context(root);
    for (const field of this.rowFields) {
      if (field.kind !== 'array' || field.listPath === undefined) continue;
      const rows = getPath(record, field.listPath);
      if (!Array.isArray(rows)) throw missingDetailList(field.list, field.key);
      for (let i = 0; i < rows.length; i += 1) {
        ctx.row = rows[i];
        checkFields(field.children, ctx, `${field.key}[${i}]`);
      }
    }
  }

  /** A one-record stand-in for a merged record, used to validate a record on arrival. */
  private probeRecord(
    record: Record<string, unknown>,
    location: RecordLocation,
  ): Record<string, unknown> {
    const m = this.mergeConfig as MergeConfig;
    let window = this.windowFields.get(location.start);
    if (window === undefined) {
      window = windowFields(
        location.start,
        location.end,
        m.sizeMs,
        this.offsetMinutes,
      );
      if (this.windowFields.size > 1000) this.windowFields.clear();
      this.windowFields.set(location.start, window);
    }
    const group: Record<string, string> = {};
    m.headerGroup.forEach((g, i) => {
      group[g.replace(/\./g, '_')] = location.group[i] as string;
    });
    return {
      ...record,
      _group: group,
      _window: window,
      _merge: PROBE_MERGE,
      _doc: PROBE_DOC,
    };
  }

  private render(value: CompiledValue, root: unknown, path: string): string {
    const v = evalValue(value, this.context(root), path);
    const s = toText(v, this.offsetMinutes);
    if (s === '')
      throw new NonRetriableError(`${path} is empty`, {
        errorClass: 'mapping',
        fieldPath: path,
      });
    return s;
  }

  private buildDocument(
    root: Record<string, unknown>,
    info: {
      documentKey: string;
      sourceIds: readonly string[];
      firstFetchedAt: string;
      rawOffsets: readonly RawOffset[];
      stream: string;
      correctionOf: string | undefined;
      billSuffix: string;
    },
    map = true,
  ): OutboundDocument {
    const billNo = `${this.render(this.billNo, root, 'billNo')}${info.billSuffix}`;
    // The mapping may read the bill number and key as {_doc.billNo} / {_doc.documentKey} (the context's doc
    // stands for the record's `_doc`: no copy of the record per document).
    const doc = { billNo, documentKey: info.documentKey };
    const document: Record<string, unknown> = {};
    if (map)
      mapFields(this.fields, this.context(root, undefined, doc), document, '');
    const t = this.plan.target;
    return {
      schemaVersion: 1,
      flow: this.flow,
      documentKey: info.documentKey,
      target: t.system,
      formId: t.formId,
      operation: t.operation,
      options: { ...t.options },
      billNo,
      idCheck: t.idCheck,
      // Only when it is not the sink's default, so documents stay as they were.
      ...(t.changeAfterWrite !== 'dead_letter'
        ? { changeAfterWrite: t.changeAfterWrite }
        : {}),
      ...(t.changeAfterWrite === 'update' && t.unauditToUpdate
        ? { unauditToUpdate: true }
        : {}),
      ...(t.changeAfterWrite === 'reverse' && t.reversal
        ? { reversal: { negate: [...t.reversal.negate] } }
        : {}),
      batchRows: t.batch.rows,
      document,
      lineage: {
        platform: this.plan.source.platform,
        stream: info.stream,
        sourceIds: [...info.sourceIds],
        firstFetchedAt: info.firstFetchedAt,
        rawOffsets: info.rawOffsets.map((o) => ({ ...o })),
      },
      ...(info.correctionOf ? { correctionOf: info.correctionOf } : {}),
      createdAt: new Date(this.clock()).toISOString(),
    };
  }
}

/** Compiles a validated plan. Throws PlanCompileError with the plan path of the bad field. */
export function compileFlow(
  plan: SyncPlan,
  options: FlowTransformerOptions,
): FlowTransformer {
  return new FlowTransformer(plan, options);
}
