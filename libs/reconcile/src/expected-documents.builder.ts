import type { RawRecord } from '@kingbridge/contracts';
import {
  contentHash,
  DEFAULT_BACKOFF,
  PipelineError,
  RetryStoppedError,
  retryWithBackoff,
  type BackoffPolicy,
} from '@kingbridge/pipeline-core';
import {
  compileFlow,
  type LookupProvider,
  type SyncPlan,
} from '@kingbridge/transform-engine';
import { addTotals, documentTotals } from './document-totals.util';
import type { SourceRecord } from './inventory.port';
import type { ExpectedDocument, ExpectedFailure } from './reconcile.comparator';

export {
  withMergeOverrides,
  type MergeOverrides,
} from '@kingbridge/transform-engine';

/** Lookups that failed retriably (throttled, session lost, unreachable): retried for about half a minute. */
const LOOKUP_RETRY: BackoffPolicy = {
  ...DEFAULT_BACKOFF,
  initialMs: 500,
  maxMs: 8_000,
  attempts: 6,
};

export interface ExpectedSet {
  readonly documents: ExpectedDocument[];
  readonly filtered: number;
  readonly failures: ExpectedFailure[];
  /**
   * Records that left the plan's filter (cancelled after shipping): not expected in Kingdee. A written one is a
   * change after write (the sink holds it as a dead letter, or reversed it, per the plan's rule).
   */
  readonly withdrawn: ExpectedDocument[];
}

/** The source record as the connector publishes it (payload = the platform's wire record). */
export function toRawRecord(plan: SyncPlan, r: SourceRecord): RawRecord {
  const at = new Date(r.modifiedAt).toISOString();
  return {
    schemaVersion: 1,
    platform: plan.source.platform,
    entity: plan.source.entity,
    stream: plan.source.stream,
    sourceId: r.sourceId,
    modifiedAt: at,
    contentHash: contentHash(r.payload),
    payload: r.payload,
    runId: 'reconcile',
    fetchedAt: at,
  } as RawRecord;
}

/** The business day a merge window key names (`SHOP|WH:2026-11-20`), if it names one. */
export function windowDay(windowKey: string): string | undefined {
  return /:(\d{4}-\d{2}-\d{2})(?:[T ]|#|$)/.exec(windowKey)?.[1];
}

export function businessDay(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(ms));
}

/**
 * Runs the latest version of each source record through the flow's plan exactly as the
 * transform does (filters, mapping, lookups, merges) and flushes every window at the end.
 * Each record is processed once, so a merge window holds each record's latest version.
 */
export async function buildExpectedDocuments(
  plan: SyncPlan,
  records: readonly SourceRecord[],
  lookups: LookupProvider,
): Promise<ExpectedSet> {
  // Flushing at the end must close every window, catch-up windows (opened behind the watermark, closed when
  // idle) included: the clock jumps far ahead before the flush.
  let clockMs = Date.now();
  const flow = compileFlow(plan, { lookups, clock: () => clockMs });
  const timeZone = plan.timeZone;
  const dayOfSource = new Map<string, number>();
  const modifiedOf = new Map(records.map((r) => [r.sourceId, r.modifiedAt]));
  const latest = (ids: readonly string[]): number | undefined => {
    const times = ids
      .map((id) => modifiedOf.get(id))
      .filter((t): t is number => t !== undefined);
    return times.length === 0 ? undefined : Math.max(...times);
  };
  const documents: ExpectedDocument[] = [];
  const failures: ExpectedFailure[] = [];
  let filtered = 0;
  const withdrawn: ExpectedDocument[] = [];
  const raws = records.map((r) => toRawRecord(plan, r));
  // A throttled or briefly unreachable lookup store (K3Cloud) is retried as the transform retries it, so a
  // reconcile run does not fail a flow on one busy moment of Kingdee.
  const queries = raws.flatMap((raw) => flow.lookupQueries(raw));
  await retryWithBackoff(() => lookups.preload(queries), {
    policy: LOOKUP_RETRY,
    // Everything but a permanent refusal: a lost response surfaces as a plain network error.
    retryable: (err) => !(err instanceof PipelineError) || err.retriable,
  }).catch((err: unknown) => {
    throw err instanceof RetryStoppedError ? err.lastError : err;
  });
  for (const [i, raw] of raws.entries()) {
    dayOfSource.set(raw.sourceId, records[i]!.createdAt);
    const result = flow.process(raw);
    switch (result.outcome) {
      case 'filtered':
        filtered += 1;
        break;
      case 'failed':
        failures.push({
          sourceIds: [raw.sourceId],
          reason: `${result.error.errorClass}: ${result.error.message}`,
        });
        break;
      case 'merged':
        break;
      case 'mapped':
        for (const d of result.documents) {
          // Left the filter (cancelled after shipping): Kingdee is not expected to hold it; one it holds was
          // written before the source moved on (a change after write, see compareInventories).
          const expected: ExpectedDocument = {
            billNo: d.billNo,
            documentKey: d.documentKey,
            sourceIds: d.lineage.sourceIds,
            day: businessDay(records[i]!.createdAt, timeZone),
            totals: documentTotals(d.document),
            modifiedAt: records[i]!.modifiedAt,
          };
          if (d.withdrawn) {
            filtered += 1;
            withdrawn.push(expected);
          } else documents.push(expected);
        }
        break;
    }
  }
  const corrections: { of: string; doc: ExpectedDocument }[] = [];
  clockMs = Number.MAX_SAFE_INTEGER / 2;
  for (const key of flow.openWindows()) {
    const emitted = flow.emitWindow(key);
    if ('document' in emitted) {
      const d = emitted.document;
      const first = Math.min(
        ...emitted.sourceIds.map(
          (id) => dayOfSource.get(id) ?? Number.MAX_SAFE_INTEGER,
        ),
      );
      const doc: ExpectedDocument = {
        billNo: d.billNo,
        documentKey: d.documentKey,
        sourceIds: [...emitted.sourceIds],
        day: windowDay(key) ?? businessDay(first, timeZone),
        group: key,
        totals: documentTotals(d.document),
        modifiedAt: latest(emitted.sourceIds),
      };
      if (d.correctionOf !== undefined)
        corrections.push({ of: d.correctionOf, doc });
      else documents.push(doc);
      flow.markEmitted(key);
    } else if ('empty' in emitted) {
      flow.markEmitted(key);
    } else {
      failures.push({
        sourceIds: [...emitted.sourceIds],
        reason: `${emitted.error.errorClass}: ${emitted.error.message}`,
      });
    }
  }
  // Records seen out of event-time order land in correction windows; reconciliation only
  // cares that the group adds up, so fold them into their group.
  for (const c of corrections) {
    const i = documents.findIndex((d) => d.group === c.of);
    const base = documents[i];
    if (base === undefined) {
      // Every record of the window came late: only corrections exist. Name the group by its
      // base bill; the comparator accepts the base bill and its corrections alike.
      documents.push({
        ...c.doc,
        billNo: c.doc.billNo.replace(/-C[0-9a-f]{6}$/i, ''),
        documentKey: c.of,
        group: c.of,
      });
      continue;
    }
    documents[i] = {
      ...base,
      sourceIds: [...new Set([...base.sourceIds, ...c.doc.sourceIds])],
      totals: addTotals(base.totals, c.doc.totals),
      modifiedAt: latest([...base.sourceIds, ...c.doc.sourceIds]),
    };
  }
  return { documents, filtered, failures, withdrawn };
}
