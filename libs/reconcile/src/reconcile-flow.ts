import { contentHash } from '@kingbridge/pipeline-core';
import {
  ZERO_TOTALS,
  addTotals,
  totalsEqual,
  type Totals,
} from './document-totals.util';
// Master data (shops) is reconciled as a whole set, as its stream starts with a full scan.
import { MASTER_DATA_ENTITIES } from '@kingbridge/source-runtime';
import {
  parseDuration,
  zoneOffsetMinutes,
  type LookupProvider,
  type SyncPlan,
} from '@kingbridge/transform-engine';
import {
  buildExpectedDocuments,
  withMergeOverrides,
  type MergeOverrides,
} from './expected-documents.builder';
import type {
  KingdeeDocument,
  KingdeeInventory,
  SourceInventory,
  SourceRecord,
  TimeRange,
} from './inventory.port';
import type { InFlightReason, PipelineState } from './pipeline-state.port';
import {
  compareInventories,
  type Comparison,
  type Counts,
  type ExpectedDocument,
  type ExpectedFailure,
  type ExtraItem,
  type MissingItem,
} from './reconcile.comparator';

/** Default reach of the look before `from` that tells documents of earlier records apart from extra ones. */
export const DEFAULT_CONTEXT_MS = 2 * 86_400_000;
/** A fetched record with no document and no other state is in transit for this long, then missing. */
export const DEFAULT_IN_FLIGHT_GRACE_MS = 120_000;

export interface ReconcileFlowInput {
  /** The flow's effective plan (as the transform runs it: see `transform.flow_settings`). */
  readonly plan: SyncPlan;
  /** Other plans (to tell their documents apart when they write to the same form). */
  readonly otherPlans?: readonly SyncPlan[];
  readonly source: SourceInventory;
  /** Name of the source dataset/entity for `source.list` (default: the plan's entity). */
  readonly sourceEntity?: string;
  readonly kingdee: KingdeeInventory;
  /** Form id for `kingdee.list` (default: the plan's target form). */
  readonly kingdeeFormId?: string;
  readonly range: TimeRange;
  readonly lookups: LookupProvider;
  /** Deprecated: overrides on top of `plan` (the effective plan already carries them). */
  readonly mergeOverrides?: MergeOverrides;
  /** The running pipeline's state: in-flight records are told apart from missing ones. */
  readonly pipeline?: PipelineState;
  /** Now (epoch ms; default Date.now()): the look after `to` reaches it. */
  readonly nowMs?: number;
  /** How far before `from` documents are explained by earlier records (default 2 days). */
  readonly contextMs?: number;
  /** A record fetched this recently with nothing downstream yet is in transit (default 2 min). */
  readonly inFlightGraceMs?: number;
  /** Called with what is being read (progress of a long range). */
  readonly onProgress?: (what: string) => void;
}

export interface InFlightItem extends MissingItem {
  readonly reason: InFlightReason;
}

export interface ReconcileReport extends Omit<Comparison, 'counts'> {
  readonly flow: string;
  readonly formId: string;
  /** `range`: source records whose query time is in [from, to); `all`: master data, every record now. */
  readonly scope: 'range' | 'all';
  readonly range: { readonly from: string; readonly to: string };
  readonly counts: Comparison['counts'] & Counts<'inFlight' | 'leftQuery'>;
  readonly source: Counts<'records' | 'filtered' | 'failed'>;
  /**
   * Kingdee documents this flow wrote (sink ledger) whose records the flow's query no longer returns (a status
   * that moved on, a cancellation): not extra, listed for the operator.
   */
  readonly leftQuery: readonly ExtraItem[];
  /** Expected documents not in Kingdee yet but on their way (not counted as missing). */
  readonly inFlight: readonly InFlightItem[];
  /** Source records that cannot become a document (mapping or lookup errors): dead letters expected. */
  readonly failures: readonly ExpectedFailure[];
}

/** Literal text before the first `{` of a bill number template ('' when it starts with a reference). */
export function billPrefix(plan: SyncPlan): string {
  const template = plan.billNo ?? '';
  const i = template.indexOf('{');
  return (i < 0 ? template : template.slice(0, i)).toUpperCase();
}

/**
 * The range a reconciliation of `plan` really compares: for a merge flow, [from, to) cut to whole merge windows
 * (the window holding `from` starts it, the window holding `to` is left out), so no window is cut in two.
 */
export function resolveRange(plan: SyncPlan, range: TimeRange): TimeRange {
  if (!plan.merge) return range;
  const size = parseDuration(plan.merge.window.size);
  if (size === undefined || size <= 0) return range;
  const off = (zoneOffsetMinutes(plan.timeZone) ?? 0) * 60_000;
  const floor = (t: number): number =>
    Math.floor((t + off) / size) * size - off;
  return { fromMs: floor(range.fromMs), toMs: floor(range.toMs) };
}

/**
 * Reconciles one flow. Both sides are cut by the same criterion, the flow's source time (its query's time
 * field): expected documents come from the source records of `[from, to)`; a Kingdee document made by records
 * outside the range (read from `from − contextMs` to now) is outside, not extra. Master data (shops) is compared
 * as a whole set. A missing document whose records are not fetched yet, sit in an open merge window, are in
 * transit or being written is *in flight*; a document whose source changed after it was written is *changed*.
 */
export async function reconcileFlow(
  input: ReconcileFlowInput,
): Promise<ReconcileReport> {
  const plan = withMergeOverrides(input.plan, input.mergeOverrides ?? {});
  const entity = input.sourceEntity ?? plan.source.entity;
  const nowMs = input.nowMs ?? Date.now();
  const say = input.onProgress ?? (() => undefined);
  const master =
    MASTER_DATA_ENTITIES.has(plan.source.entity) &&
    input.source.listAll !== undefined;
  const range = master ? input.range : resolveRange(plan, input.range);
  const pipeline = input.pipeline;
  const checkpoint = await pipeline?.checkpointMs(plan.source.stream);

  let records: SourceRecord[];
  let unfetched = new Set<string>();
  let around: SourceRecord[] = [];
  const windowed = plan.merge !== undefined && !master;
  if (master) {
    say(`${plan.id}: reading every ${entity} record (master data)`);
    records = await input.source.listAll!(entity);
  } else {
    // A merge flow's documents are cut by their window (the merge's event time, e.g. consign time), which a
    // record reaches before its query time (e.g. modified time) does: read to now, cut the documents below.
    const main: TimeRange = windowed
      ? { fromMs: range.fromMs, toMs: Math.max(range.toMs, nowMs) }
      : range;
    // Split at the checkpoint: what the query returns after it is not fetched yet.
    const cut =
      checkpoint !== undefined &&
      checkpoint > main.fromMs &&
      checkpoint < main.toMs
        ? checkpoint
        : undefined;
    say(`${plan.id}: reading the source over the range`);
    if (cut === undefined) {
      records = await input.source.list(entity, main);
      if (checkpoint !== undefined && checkpoint <= main.fromMs)
        unfetched = new Set(records.map((r) => r.sourceId));
    } else {
      const before = await input.source.list(entity, {
        fromMs: main.fromMs,
        toMs: cut,
      });
      const after = await input.source.list(entity, {
        fromMs: cut,
        toMs: main.toMs,
      });
      const seen = new Set(before.map((r) => r.sourceId));
      unfetched = new Set(
        after.filter((r) => !seen.has(r.sourceId)).map((r) => r.sourceId),
      );
      records = latestOf([...before, ...after]);
    }
    say(`${plan.id}: reading the source around the range`);
    const inMain = new Set(records.map((r) => r.sourceId));
    around = latestOf([
      ...(await input.source.list(entity, {
        fromMs: range.fromMs - (input.contextMs ?? DEFAULT_CONTEXT_MS),
        toMs: range.fromMs,
      })),
      ...(!windowed && range.toMs < nowMs
        ? await input.source.list(entity, { fromMs: range.toMs, toMs: nowMs })
        : []),
    ]).filter((r) => !inMain.has(r.sourceId));
  }
  let expected = await buildExpectedDocuments(plan, records, input.lookups);
  let outside = (await buildExpectedDocuments(plan, around, input.lookups))
    .documents;
  if (windowed) {
    // Whole windows: in the range when the window starts in it, whatever record made it.
    const all = await buildExpectedDocuments(
      plan,
      latestOf([...around, ...records]),
      input.lookups,
    );
    const off = (zoneOffsetMinutes(plan.timeZone) ?? 0) * 60_000;
    const inRange = (d: ExpectedDocument): boolean => {
      const start =
        d.group === undefined ? undefined : windowStartMs(d.group, off);
      return start !== undefined && start >= range.fromMs && start < range.toMs;
    };
    const ids = new Set(
      all.documents.filter(inRange).flatMap((d) => d.sourceIds),
    );
    expected = {
      documents: all.documents.filter(inRange),
      filtered: expected.filtered,
      failures: expected.failures,
      withdrawn: expected.withdrawn,
    };
    outside = all.documents.filter((d) => !inRange(d));
    records = records.filter((r) => ids.has(r.sourceId));
  }
  const formId = input.kingdeeFormId ?? plan.target.formId;
  say(`${plan.id}: reading Kingdee ${formId}`);
  const actual = await input.kingdee.list(formId);
  const own = billPrefix(plan);
  const others = (input.otherPlans ?? [])
    .filter(
      (p) =>
        p.id !== plan.id &&
        p.target.system === plan.target.system &&
        p.target.formId === plan.target.formId,
    )
    .map(billPrefix)
    .filter((p) => p !== '' && !own.startsWith(p));
  const othersBills =
    (await pipeline?.otherFlowsBills(plan.id, plan.target.formId)) ??
    new Set<string>();
  // Master data numbered without a literal prefix (customers by channel code): the form also holds every record
  // people made in Kingdee. With the sink's ledger at hand, only what this flow wrote can be extra.
  const ownBills =
    master && own === '' && pipeline
      ? new Set(
          [...(await pipeline.ledger(plan.id)).values()].map((l) =>
            l.billNo.toUpperCase(),
          ),
        )
      : undefined;
  const isExtraCandidate = (doc: KingdeeDocument): boolean => {
    const bill = doc.billNo.toUpperCase();
    if (!bill.startsWith(own)) return false;
    if (ownBills && !ownBills.has(bill)) return false;
    if (others.some((p) => bill.startsWith(p))) return false;
    // The sink wrote it for another flow on the same form.
    if (othersBills.has(bill)) return false;
    // Written before the range started: made by earlier records (records are written after they happen).
    if (
      !master &&
      doc.firstWrittenAt !== undefined &&
      Date.parse(doc.firstWrittenAt) < range.fromMs
    )
      return false;
    return true;
  };
  const comparison = compareInventories({
    expected: expected.documents,
    actual,
    isExtraCandidate,
    outside,
    withdrawn: expected.withdrawn,
  });

  // Missing documents on their way are in flight.
  const inFlight: InFlightItem[] = [];
  const missing: MissingItem[] = [];
  if (pipeline === undefined) missing.push(...comparison.missing);
  else {
    const ids = comparison.missing.flatMap((m) => m.sourceIds);
    const fetched = await pipeline.fetched(plan.source.stream, ids);
    const open = plan.merge
      ? await pipeline.inOpenWindows(plan.id, ids)
      : new Set<string>();
    const ledger = await pipeline.ledger(plan.id);
    // The version the source holds now, as the connector hashes it: another hash was not fetched yet.
    const hashes = new Map(
      records.map((r) => [r.sourceId, contentHash(r.payload)]),
    );
    const grace = input.inFlightGraceMs ?? DEFAULT_IN_FLIGHT_GRACE_MS;
    for (const m of comparison.missing) {
      const row = ledger.get(m.documentKey);
      const reason = ((): InFlightReason | undefined => {
        if (row?.state === 'written' || row?.state === 'dead_lettered')
          return undefined;
        if (row !== undefined) return 'being written';
        if (m.sourceIds.some((id) => open.has(id)))
          return 'in an open merge window';
        const notFetched = m.sourceIds.some((id) => {
          const f = fetched.get(id);
          return (
            unfetched.has(id) ||
            f === undefined ||
            f.contentHash !== hashes.get(id)
          );
        });
        if (notFetched) return 'not fetched yet';
        const lastPublished = Math.max(
          ...m.sourceIds.map((id) => fetched.get(id)?.publishedAtMs ?? 0),
        );
        return nowMs - lastPublished < grace
          ? 'published, not transformed yet'
          : undefined;
      })();
      if (reason === undefined) missing.push(m);
      else inFlight.push({ ...m, reason });
    }
  }
  // Written by this flow (the sink's ledger says so) while its records matched the flow's query, which no longer
  // returns them (e.g. a WDT stock-out moved from 95 shipped to 110 done): not extra, said apart.
  const extra: ExtraItem[] = [];
  const leftQuery: ExtraItem[] = [];
  if (pipeline === undefined) extra.push(...comparison.extra);
  else {
    const writtenBills = new Set(
      [...(await pipeline.ledger(plan.id)).values()]
        .filter((l) => l.state === 'written')
        .map((l) => l.billNo.toUpperCase()),
    );
    for (const e of comparison.extra)
      (writtenBills.has(e.billNo.toUpperCase()) ? leftQuery : extra).push(e);
  }
  // Not compared, so not in the per-day sums either.
  const days = comparison.days.flatMap((d) => {
    const left = leftQuery.filter((e) => e.day === d.day);
    if (left.length === 0) return [d];
    const out = left.reduce(
      (t, e) => addTotals(t, e.totals),
      ZERO_TOTALS as Totals,
    );
    const actual = {
      documents: d.actual.documents - left.length,
      qty: addTotals(d.actual, { qty: -out.qty, amount: -out.amount }).qty,
      amount: addTotals(d.actual, { qty: -out.qty, amount: -out.amount })
        .amount,
    };
    if (d.expected.documents === 0 && actual.documents === 0) return [];
    return [
      {
        ...d,
        actual,
        match:
          d.expected.documents <= actual.documents &&
          totalsEqual(d.expected, actual),
      },
    ];
  });
  return {
    flow: plan.id,
    formId,
    scope: master ? 'all' : 'range',
    range: {
      from: new Date(range.fromMs).toISOString(),
      to: new Date(range.toMs).toISOString(),
    },
    source: {
      records: records.length,
      filtered: expected.filtered,
      failed: expected.failures.length,
    },
    failures: expected.failures,
    ...comparison,
    days,
    missing,
    inFlight,
    extra,
    leftQuery,
    counts: {
      ...comparison.counts,
      missing: missing.length,
      extra: extra.length,
      inFlight: inFlight.length,
      leftQuery: leftQuery.length,
    },
  };
}

/**
 * Start (epoch ms) of the window a merge window key names: `…:2026-12-02` (day windows) or `…:2026-12-02T02:05`,
 * wall time at `offsetMs` east of UTC.
 */
export function windowStartMs(
  windowKey: string,
  offsetMs: number,
): number | undefined {
  // Day windows `:yyyy-MM-dd`, minute windows `Thh:mm`, windows shorter than a minute `Thh:mm:ss`.
  const m =
    /:(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2})(?::(\d{2}))?)?(?:#.*)?$/.exec(
      windowKey,
    );
  if (!m) return undefined;
  const t = Date.parse(`${m[1]}T${m[2] ?? '00:00'}:${m[3] ?? '00'}Z`);
  return Number.isFinite(t) ? t - offsetMs : undefined;
}

/** Latest version per source id. */
function latestOf(records: readonly SourceRecord[]): SourceRecord[] {
  const out = new Map<string, SourceRecord>();
  for (const r of records) {
    const prev = out.get(r.sourceId);
    if (!prev || prev.modifiedAt <= r.modifiedAt) out.set(r.sourceId, r);
  }
  return [...out.values()];
}
