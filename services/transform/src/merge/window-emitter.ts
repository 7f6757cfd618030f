import {
  outboundDocumentSchema,
  type OutboundDocument,
  zodPath,
  type WindowReplay,
} from '@kingbridge/contracts';
import type {
  DeadLetterInput,
  DeadLetterPublisher,
  KafkaProducer,
} from '@kingbridge/kafka';
import type { Logger } from '@kingbridge/observability';
import {
  NonRetriableError,
  type PipelineError,
} from '@kingbridge/pipeline-core';
import type { WindowState } from '@kingbridge/transform-engine';
import type { Flow } from '../flows/load-flows';
import type { PostgresLookupProvider } from '../lookups/postgres-lookup.provider';
import { planLookupTables } from '../flows/load-flows';
import type { TransformMetrics } from '../metrics/transform.metrics';
import { loadFaultInjection, type FaultHook } from './fault-injection.config';
import {
  flowWatermark,
  type MergeStateRepository,
  type WindowRowStatus,
} from './merge-state.repository';

export interface WindowEmitterDeps {
  readonly flows: readonly Flow[];
  readonly repository: MergeStateRepository;
  readonly lookups: Pick<PostgresLookupProvider, 'preloadTables'>;
  readonly producer: KafkaProducer;
  readonly deadLetters: DeadLetterPublisher;
  readonly metrics: TransformMetrics;
  readonly logger: Logger;
  readonly clock?: () => number;
  /** Windows emitted per flow per transaction. */
  readonly limit: number;
  /**
   * Wall clock before which nothing counts as idle (the service start): after downtime, an open window is not
   * closed for want of records before its partitions had an idle timeout to be read again. Default 0.
   */
  readonly idleSinceMs?: number | undefined;
  /** Test-only fault injection (default: from `TRANSFORM_TEST_FAULT`, honoured with `KINGBRIDGE_TEST_FAULTS=1`). */
  readonly fault?: FaultHook | undefined;
}

export interface EmitResult {
  readonly emitted: number;
  readonly deadLettered: number;
  /** Corrections whose changes cancelled out: folded into their base without a document. */
  readonly folded: number;
}

const NOTHING: EmitResult = Object.freeze({
  emitted: 0,
  deadLettered: 0,
  folded: 0,
});

/**
 * Emits due merge windows from Postgres, safe with several instances: per
 * flow, in one transaction, lock due windows with SKIP LOCKED, restore a
 * merger from them, map each into its document, store the documents in the
 * outbox and mark the windows emitted, commit; then produce the outbox rows
 * (acks=all) and delete them. A crash before the produce is acknowledged sends
 * the same stored bytes again (the sink dedups); a record arriving meanwhile
 * finds its window emitted and becomes a correction, never a bigger document
 * under the same key. Mapping errors at emission go to `<raw topic>.dlq`
 * naming the flow, the path and the window; the window keeps its records as
 * `dead_lettered` and a replay of the letter re-opens it.
 */
export class WindowEmitter {
  private readonly mergeFlows: readonly Flow[];
  private readonly clock: () => number;
  private readonly fault: FaultHook | undefined;

  constructor(private readonly deps: WindowEmitterDeps) {
    this.mergeFlows = deps.flows.filter((f) => f.merge !== undefined);
    this.clock = deps.clock ?? Date.now;
    this.fault = 'fault' in deps ? deps.fault : loadFaultInjection();
  }

  /** One pass over every merge flow: emit what is due, prune old windows, refresh the gauges. */
  async tick(): Promise<void> {
    for (const flow of this.mergeFlows) {
      try {
        // What an earlier tick (or a killed instance) committed but did not get acknowledged goes first.
        await this.drainOutbox(flow);
        for (;;) {
          const r = await this.emitDue(flow);
          await this.drainOutbox(flow);
          if (r.emitted + r.deadLettered + r.folded < this.deps.limit) break;
        }
        await this.prune(flow);
      } catch (err) {
        this.deps.logger.error(
          { flow: flow.id, err: (err as Error).message },
          'window emission failed; retrying next tick',
        );
      }
      await this.refreshGauges(flow).catch((err: unknown) =>
        this.deps.logger.warn(
          { flow: flow.id, err: (err as Error).message },
          'cannot refresh window gauges',
        ),
      );
    }
  }

  /** Emits up to `limit` due windows of one flow in one transaction. */
  async emitDue(flow: Flow): Promise<EmitResult> {
    const timings = flow.merge;
    if (!timings) return NOTHING;
    const { repository } = this.deps;
    const tables = planLookupTables(flow.plan);
    if (tables.length > 0) await this.deps.lookups.preloadTables(tables);
    const keys: string[] = [];
    const result = await repository.transaction(
      async (tx): Promise<EmitResult> => {
        const row = await repository.readEventTime(flow.id, tx);
        const watermark = row.watermark;
        const now = this.clock();
        // Windows close by the effective watermark: the slowest active partition's event time.
        const due = await repository.lockDueWindows(
          tx,
          flow.id,
          timings,
          flowWatermark(row, timings.idleTimeoutMs, now),
          now,
          this.deps.limit,
          this.deps.idleSinceMs,
        );
        if (due.length === 0) return NOTHING;
        // A correction folds into its emitted base window: lock that too, or leave the correction for later.
        const dueKeys = new Set(due.map((w) => w.key));
        const bases = [
          ...new Set(
            due
              .filter((w) => w.correction && !dueKeys.has(w.baseKey))
              .map((w) => w.baseKey),
          ),
        ].sort();
        const locked = await repository.lockWindows(tx, flow.id, bases, 'skip');
        const lockedKeys = new Set(locked.map((w) => w.key));
        const existing = await repository.existingKeys(tx, flow.id, bases);
        const ready = due.filter(
          (w) =>
            !w.correction ||
            lockedKeys.has(w.baseKey) ||
            !existing.has(w.baseKey) ||
            dueKeys.has(w.baseKey),
        );
        // Open windows and corrections come with all their records; emitted bases with what the corrections change.
        const snapshot = await repository.snapshot(tx, flow.id, watermark, [
          ...ready,
          ...locked,
        ]);

        // Synchronous from restore to the last markEmitted/markFailed; the merger is held here because a batch of
        // the consumer may restore the flow's merger (its own) while this transaction awaits the outbox write.
        flow.transformer.restoreMergeState(snapshot);
        const merger = flow.transformer.merger;
        if (!merger) throw new Error(`flow ${flow.id} has no merger`);
        const emissions = ready.map((w) => ({
          window: snapshot.windows.find((x) => x.key === w.key) as WindowState,
          result: flow.transformer.emitWindow(w.key),
        }));

        const documents: OutboundDocument[] = [];
        const deadLetters: DeadLetterInput[] = [];
        const status = new Map<string, WindowRowStatus>();
        let folded = 0;
        for (const { window, result } of emissions) {
          const checked =
            'document' in result
              ? outboundDocumentSchema.safeParse(result.document)
              : undefined;
          if (checked?.success) {
            documents.push(checked.data);
            flow.transformer.markEmitted(window.key);
          } else if ('empty' in result) {
            folded += 1;
            flow.transformer.markEmitted(window.key);
          } else {
            const issue = checked?.error?.issues[0];
            const error =
              'error' in result
                ? result.error
                : new NonRetriableError(
                    `outbound document invalid: ${issue?.message ?? 'schema'}`,
                    {
                      errorClass: 'schema',
                      fieldPath: zodPath(issue?.path ?? []),
                    },
                  );
            deadLetters.push(
              this.deadLetterOf(flow, window, error, result.sourceIds),
            );
            flow.transformer.markFailed(window.key);
            status.set(window.key, 'dead_lettered');
          }
        }
        await repository.addToOutbox(
          tx,
          flow.id,
          documents.map((d) => ({
            topic: flow.outboundTopic,
            documentKey: d.documentKey,
            value: JSON.stringify(d),
          })),
        );
        // At least once into the DLQ: a rolled-back emission dead-letters again (a replay re-opens it once).
        if (deadLetters.length > 0)
          await this.deps.deadLetters.publish(deadLetters);
        const changes = merger.takeRecordChanges();
        await repository.writeChanges(tx, flow.id, changes, status, false);

        for (const d of documents) {
          keys.push(d.documentKey);
          this.deps.logger.debug(
            {
              flow: flow.id,
              documentKey: d.documentKey,
              billNo: d.billNo,
              records: d.lineage.sourceIds.length,
            },
            'merged window emitted',
          );
        }
        return {
          emitted: documents.length,
          deadLettered: deadLetters.length,
          folded,
        };
      },
    );
    this.fault?.('after-emission-commit', keys);
    // Counted once committed (a rolled-back emission is emitted again next tick).
    this.deps.metrics.count(flow.id, 'out', result.emitted);
    this.deps.metrics.count(flow.id, 'failed', result.deadLettered);
    return result;
  }

  private deadLetterOf(
    flow: Flow,
    window: WindowState,
    error: PipelineError,
    sourceIds: readonly string[],
  ): DeadLetterInput {
    const first = Object.values(window.records).find(
      (c) => c.o !== undefined,
    )?.o;
    this.deps.logger.warn(
      {
        flow: flow.id,
        window: window.key,
        recordIds: sourceIds.slice(0, 20),
        errorClass: error.errorClass,
        fieldPath: error.fieldPath,
        reason: error.message,
      },
      'merged window failed to map: dead-lettered',
    );
    return {
      topic: flow.rawTopic,
      partition: first?.partition ?? 0,
      offset: first?.offset ?? '-1',
      raw: {
        key: Buffer.from(window.key),
        // A window replay request: re-published to the raw topic, it re-opens the window (see windowReplaySchema).
        value: Buffer.from(
          JSON.stringify({
            kind: 'window-replay',
            flow: flow.id,
            windowKey: window.key,
            sourceIds: [...sourceIds],
          } satisfies WindowReplay),
        ),
        headers: { 'kb-window-key': window.key },
      },
      error,
      attempts: 1,
      flow: flow.id,
    };
  }

  /** Produces the flow's committed outbox documents (acks=all), then deletes them. */
  async drainOutbox(flow: Flow): Promise<number> {
    return this.deps.repository.drainOutbox(
      flow.id,
      Math.max(1, this.deps.limit),
      async (rows) => {
        const byTopic = new Map<string, typeof rows>();
        for (const r of rows)
          byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r]);
        for (const [topic, list] of byTopic) {
          await this.deps.producer.send(
            topic,
            list.map((r) => ({ key: r.documentKey, value: r.value })),
          );
        }
        this.fault?.(
          'after-outbox-produce',
          rows.map((r) => r.documentKey),
        );
      },
    );
  }

  private async prune(flow: Flow): Promise<void> {
    const timings = flow.merge;
    if (!timings) return;
    // Retention counts from the effective watermark too: a slow partition may still change a window.
    const watermark = flowWatermark(
      await this.deps.repository.readEventTime(flow.id),
      timings.idleTimeoutMs,
      this.clock(),
    );
    if (watermark === null) return;
    const n = await this.deps.repository.prune(flow.id, timings, watermark);
    if (n.compacted + n.deleted > 0)
      this.deps.logger.debug(
        { flow: flow.id, compacted: n.compacted, deleted: n.deleted },
        'emitted windows past retention: compacted to hashes / deleted',
      );
  }

  async refreshGauges(flow: Flow): Promise<void> {
    const stats = await this.deps.repository.openStats(flow.id);
    this.deps.metrics.openWindows.set({ flow: flow.id }, stats.openWindows);
    this.deps.metrics.windowRecords.set({ flow: flow.id }, stats.openRecords);
    const now = this.clock();
    // The lag of the watermark that closes windows (the slowest active partition).
    const watermark = flow.merge
      ? flowWatermark(stats, flow.merge.idleTimeoutMs, now)
      : stats.watermark;
    if (watermark !== null) {
      this.deps.metrics.watermarkLag.set(
        { flow: flow.id },
        Math.max(0, (now - watermark) / 1000),
      );
    }
  }
}
