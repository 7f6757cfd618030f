import {
  isWindowReplay,
  outboundDocumentSchema,
  zodPath,
  type OutboundDocument,
  type RawRecord,
  type RawTopicMessage,
  type WindowReplay,
} from '@kingbridge/contracts';
import type {
  ConsumedMessage,
  DeadLetterInput,
  DeadLetterPublisher,
  KafkaProducer,
  MessageOutcome,
  OutgoingMessage,
} from '@kingbridge/kafka';
import type { Logger } from '@kingbridge/observability';
import {
  NonRetriableError,
  RetriableError,
  toPipelineError,
  type PipelineError,
} from '@kingbridge/pipeline-core';
import {
  lookupQuery,
  type LookupProvider,
  type LookupQuery,
  type RecordOutcome,
} from '@kingbridge/transform-engine';
import type { Flow } from '../flows/load-flows';
import type { MergeStateRepository } from '../merge/merge-state.repository';
import type { TransformMetrics } from '../metrics/transform.metrics';

const DONE: MessageOutcome = Object.freeze({ kind: 'done' });

type Message = ConsumedMessage<RawRecord>;

interface MergeItem {
  readonly message: Message;
}

/** Metric increments of one handler call, applied once everything is durable (a retried batch counts once). */
type Tally = Map<string, number>;

function bump(
  tally: Tally,
  flow: string,
  what: 'in' | 'out' | 'filtered' | 'failed' | 'late',
): void {
  const key = `${flow}\u0000${what}`;
  tally.set(key, (tally.get(key) ?? 0) + 1);
}

/** What a batch's records produced: documents, dead letters and records to retry (by offset). */
interface Collected {
  readonly documents: PendingDocument[];
  readonly deadLetters: DeadLetterInput[];
  readonly retries: Map<string, MessageOutcome>;
}

/**
 * A document to produce (mapped by a per-record flow), serialised as soon as it is validated: until the
 * produce is acked the batch holds its UTF-8 bytes (outside the JS heap, handed to kafkajs as they are), not
 * the document's objects and text (less for each young GC to copy).
 */
interface PendingDocument {
  readonly topic: string;
  readonly flow: string;
  readonly key: string;
  readonly value: Buffer;
}

export interface RawBatchProcessorDeps {
  readonly flows: readonly Flow[];
  readonly lookups: LookupProvider;
  readonly repository: MergeStateRepository;
  readonly producer: KafkaProducer;
  readonly deadLetters: DeadLetterPublisher;
  readonly metrics: TransformMetrics;
  readonly logger: Logger;
}

/** Re-thrown infrastructure failures are retriable: the runtime retries the batch, never skips it. */
function infraError(what: string, err: unknown): PipelineError {
  const e = toPipelineError(err);
  if (e.retriable) return e;
  return new RetriableError(`${what}: ${e.message}`, {
    errorClass: 'server_error',
    cause: err,
  });
}

/**
 * Handles one topic-partition batch of raw records: for each record, every
 * flow that accepts it maps it (documents produced, acks=all) or merges it
 * (window state written to Postgres in one transaction); records that fail
 * go to `<raw topic>.dlq` naming the flow, the field path and the reason.
 * Every message is reported `done` only after all of that is durable; an
 * infrastructure failure throws a RetriableError so the whole batch is
 * retried (idempotent: documents keep their keys, merges dedup by source id
 * + content hash).
 */
export class RawBatchProcessor {
  private readonly mergeFlows: readonly Flow[];

  constructor(private readonly deps: RawBatchProcessorDeps) {
    this.mergeFlows = [...deps.flows.filter((f) => f.merge !== undefined)].sort(
      (a, b) => (a.id < b.id ? -1 : 1),
    );
  }

  /** The raw topics to consume: every topic an enabled plan reads. */
  topics(): string[] {
    return [...new Set(this.deps.flows.map((f) => f.rawTopic))].sort();
  }

  async handle(
    batch: readonly ConsumedMessage<RawTopicMessage>[],
  ): Promise<MessageOutcome[]> {
    const { flows, metrics } = this.deps;
    const replays: ConsumedMessage<WindowReplay>[] = [];
    const messages: Message[] = [];
    for (const m of batch) {
      if (isWindowReplay(m.value))
        replays.push(m as ConsumedMessage<WindowReplay>);
      else messages.push(m as Message);
    }
    if (replays.length > 0) await this.reopenWindows(replays);
    const accepted = messages.map((m) =>
      flows.filter((f) => f.transformer.accepts(m.value)),
    );

    const queries = this.lookupQueries(messages, accepted);
    try {
      if (queries.length > 0) await this.deps.lookups.preload(queries);
    } catch (err) {
      throw infraError('lookup preload failed', err);
    }

    const documents: PendingDocument[] = [];
    const deadLetters: DeadLetterInput[] = [];
    const tally: Tally = new Map();
    const merges = new Map<Flow, MergeItem[]>();
    // Offsets whose record waits for something that may still appear (a sales order not in K3Cloud yet).
    const retries = new Map<string, MessageOutcome>();

    messages.forEach((message, i) => {
      for (const flow of accepted[i] ?? []) {
        bump(tally, flow.id, 'in');
        if (flow.merge) {
          const list = merges.get(flow) ?? [];
          list.push({ message });
          merges.set(flow, list);
          continue;
        }
        const outcome = flow.transformer.process(message.value, {
          offset: this.offsetOf(message),
        });
        this.collect(
          flow,
          message,
          outcome,
          { documents, deadLetters, retries },
          tally,
        );
      }
    });

    if (merges.size > 0) {
      const outcomes = await this.mergeInTransaction(merges);
      for (const [flow, items] of merges) {
        const results = outcomes.get(flow) ?? [];
        items.forEach((item, j) => {
          const r = results[j];
          if (r)
            this.collect(
              flow,
              item.message,
              r,
              { documents, deadLetters, retries },
              tally,
            );
        });
      }
    }

    await this.produce(documents);
    if (deadLetters.length > 0) {
      try {
        await this.deps.deadLetters.publish(deadLetters);
      } catch (err) {
        throw infraError('dead-letter publish failed', err);
      }
    }
    for (const d of documents) bump(tally, d.flow, 'out');
    for (const [key, n] of tally) {
      const [flow, what] = key.split('\u0000') as [
        string,
        'in' | 'out' | 'filtered' | 'failed' | 'late',
      ];
      if (what === 'late') metrics.late.inc({ flow }, n);
      else metrics.count(flow, what, n);
    }
    return batch.map((m) => retries.get(m.offset) ?? DONE);
  }

  /**
   * What to preload before mapping. A flow whose every table the provider loads whole needs only the table
   * names (once per batch); any other flow has each record's keys collected (a pass over the mapping).
   */
  private lookupQueries(
    messages: readonly Message[],
    accepted: ReadonlyArray<readonly Flow[]>,
  ): LookupQuery[] {
    const { lookups } = this.deps;
    const queries: LookupQuery[] = [];
    const whole = new Set<Flow>();
    messages.forEach((m, i) => {
      for (const f of accepted[i] ?? []) {
        const tables = f.transformer.lookupTables;
        if (tables.length === 0 || whole.has(f)) continue;
        if (tables.every((t) => lookups.loadsWholeTable?.(t) === true)) {
          whole.add(f);
          for (const t of tables) queries.push(lookupQuery(t, []));
        } else queries.push(...f.transformer.lookupQueries(m.value));
      }
    });
    return queries;
  }

  /** Replayed window dead letters: re-open each dead-lettered window so the emitter maps it again. */
  private async reopenWindows(
    replays: readonly ConsumedMessage<WindowReplay>[],
  ): Promise<void> {
    const byId = new Map(this.mergeFlows.map((f) => [f.id, f]));
    try {
      await this.deps.repository.transaction(async (tx) => {
        for (const m of replays) {
          const { flow, windowKey } = m.value;
          if (!byId.has(flow)) {
            this.deps.logger.warn(
              { flow, window: windowKey },
              'window replay for a flow that is not enabled here: ignored',
            );
            continue;
          }
          const reopened = await this.deps.repository.reopen(
            tx,
            flow,
            windowKey,
          );
          this.deps.logger.info(
            { flow, window: windowKey, records: m.value.sourceIds.length },
            reopened
              ? 'dead-lettered window re-opened by a replay: emitted at the next tick'
              : 'window replay: the window is not dead-lettered (already emitted or unknown), nothing to do',
          );
        }
      });
    } catch (err) {
      throw infraError('window replay failed', err);
    }
  }

  private offsetOf(m: Message): {
    topic: string;
    partition: number;
    offset: string;
  } {
    return { topic: m.topic, partition: m.partition, offset: m.offset };
  }

  private collect(
    flow: Flow,
    message: Message,
    outcome: RecordOutcome,
    out: Collected,
    tally: Tally,
  ): void {
    const { documents, deadLetters, retries } = out;
    const { logger } = this.deps;
    switch (outcome.outcome) {
      case 'filtered':
        bump(tally, flow.id, 'filtered');
        return;
      case 'mapped':
        for (const document of outcome.documents) {
          const checked = outboundDocumentSchema.safeParse(document);
          if (checked.success) {
            const valid: OutboundDocument = checked.data;
            documents.push({
              topic: flow.outboundTopic,
              flow: valid.flow,
              key: valid.documentKey,
              // Validated once here: serialised here, not parsed again by sendJson.
              value: Buffer.from(JSON.stringify(valid), 'utf8'),
            });
            continue;
          }
          const issue = checked.error.issues[0];
          const error = new NonRetriableError(
            `outbound document invalid: ${issue?.message ?? 'schema'}`,
            {
              errorClass: 'schema',
              fieldPath: zodPath(issue?.path ?? []),
            },
          );
          this.collect(flow, message, { outcome: 'failed', error }, out, tally);
        }
        return;
      case 'merged':
        if (outcome.status === 'late' || outcome.status === 'removed') {
          bump(tally, flow.id, outcome.status === 'late' ? 'late' : 'filtered');
          logger.info(
            {
              flow: flow.id,
              recordId: message.value.sourceId,
              window: outcome.windowKey,
            },
            outcome.status === 'late'
              ? 'record changed a written merged document: collected for a correction (delta) document'
              : 'record left the merge (no longer passes the filters): taken out of its window',
          );
        } else if (outcome.status === 'stale') {
          logger.info(
            {
              flow: flow.id,
              recordId: message.value.sourceId,
              window: outcome.windowKey,
            },
            'older version than the one merged: ignored',
          );
        }
        return;
      case 'failed':
        if (outcome.error.retriable) {
          // Retried by the consumer (this partition only, with backoff); past its retry budget the runtime
          // dead-letters it with this error. The rest of the batch is idempotent when it comes again.
          logger.info(
            {
              flow: flow.id,
              recordId: message.value.sourceId,
              errorClass: outcome.error.errorClass,
              fieldPath: outcome.error.fieldPath,
              reason: outcome.error.message,
            },
            'record not mappable yet: retried',
          );
          retries.set(message.offset, {
            kind: 'retry',
            error: outcome.error,
            ...(outcome.error instanceof RetriableError &&
            outcome.error.retryAfterMs !== undefined
              ? { retryAfterMs: outcome.error.retryAfterMs }
              : {}),
          });
          return;
        }
        bump(tally, flow.id, 'failed');
        logger.warn(
          {
            flow: flow.id,
            recordId: message.value.sourceId,
            topic: message.topic,
            partition: message.partition,
            offset: message.offset,
            errorClass: outcome.error.errorClass,
            fieldPath: outcome.error.fieldPath,
            reason: outcome.error.message,
          },
          'record failed: dead-lettered',
        );
        deadLetters.push({
          topic: message.topic,
          partition: message.partition,
          offset: message.offset,
          raw: message.raw,
          error: outcome.error,
          attempts: message.attempt,
          flow: flow.id,
        });
        return;
    }
  }

  /**
   * One transaction for every merge flow of the batch: lock each flow's
   * watermark row (serialises merges of a flow across instances) and the
   * windows the records belong to (base + `#late`), restore a merger from
   * just those rows, add the records, write back the changes, commit.
   */
  private async mergeInTransaction(
    merges: Map<Flow, MergeItem[]>,
  ): Promise<Map<Flow, RecordOutcome[]>> {
    const { repository } = this.deps;
    const ordered = this.mergeFlows.filter((f) => merges.has(f));
    try {
      return await repository.transaction(async (tx) => {
        const results = new Map<Flow, RecordOutcome[]>();
        for (const flow of ordered) {
          const items = merges.get(flow) ?? [];
          // The flow's row lock serialises its merges across instances; it holds the per-partition event times
          // (read here by whichever instance owns a partition now, so a rebalance keeps them).
          const { watermark, eventTimes } = await repository.lockEventTime(
            tx,
            flow.id,
          );
          const keys = new Set<string>();
          for (const item of items) {
            const base = flow.transformer.mergeKey(item.message.value);
            if (base !== undefined) keys.add(base).add(`${base}#late`);
          }
          // An updated record may now belong to another window: lock the one it was counted in too (an
          // emitted one gets a correction with the delta), with its pending correction.
          const holding = await repository.windowsHolding(
            tx,
            flow.id,
            items.map((i) => i.message.value.sourceId),
          );
          for (const key of holding) keys.add(key).add(`${key}#late`);
          const windows = await repository.lockWindows(
            tx,
            flow.id,
            [...keys].sort(),
          );
          const ids = items.map((i) => i.message.value.sourceId);
          // Handed over: the merger changes the record maps in place (no copy per batch) and indexes only this
          // batch's records; the caching repository keeps the maps once the transaction commits.
          const snapshot = await repository.handOverSnapshot(
            tx,
            flow.id,
            watermark,
            windows,
            ids,
            eventTimes,
          );
          // Synchronous from restore to takeRecordChanges: nothing else can touch this flow's merger in between.
          // Each record carries its Kafka partition (offset): its event time advances that partition's.
          flow.transformer.restoreMergeState(snapshot, {
            handedOver: true,
            sourceIds: ids,
          });
          const outcomes = items.map((item) =>
            flow.transformer.process(item.message.value, {
              offset: this.offsetOf(item.message),
            }),
          );
          const changes = this.merger(flow).takeRecordChanges();
          results.set(flow, outcomes);
          await repository.writeChanges(tx, flow.id, changes);
        }
        return results;
      });
    } catch (err) {
      throw infraError('merge state transaction failed', err);
    }
  }

  private merger(flow: Flow): NonNullable<Flow['transformer']['merger']> {
    const merger = flow.transformer.merger;
    if (!merger) throw new Error(`flow ${flow.id} has no merger`);
    return merger;
  }

  private async produce(documents: readonly PendingDocument[]): Promise<void> {
    if (documents.length === 0) return;
    const byTopic = new Map<string, OutgoingMessage[]>();
    for (const d of documents) {
      const list = byTopic.get(d.topic) ?? [];
      list.push({ key: d.key, value: d.value });
      byTopic.set(d.topic, list);
    }
    for (const [topic, messages] of byTopic) {
      try {
        await this.deps.producer.send(topic, messages);
      } catch (err) {
        throw infraError(`produce to ${topic} failed`, err);
      }
    }
  }
}
