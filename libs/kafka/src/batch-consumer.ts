import { formatZodIssues, zodPath } from '@kingbridge/contracts';
import {
  DEFAULT_BACKOFF,
  NonRetriableError,
  RetryStoppedError,
  backoffDelay,
  retryWithBackoff,
  sleep,
  toPipelineError,
  type BackoffPolicy,
  type PipelineError,
} from '@kingbridge/pipeline-core';
import type {
  Consumer,
  EachBatchPayload,
  IHeaders,
  KafkaMessage,
} from 'kafkajs';
import type { z } from 'zod';
import { createDeadLetterPublisher } from './dead-letter.publisher';
import { ensureTopics } from './ensure-topics';
import { CONNECT_BACKOFF, clientOf } from './kafka-connection';
import { createProducer } from './kafka-producer';
import { kafkaMetrics } from './kafka.metrics';
import type {
  BatchConsumer,
  BatchConsumerOptions,
  BatchContext,
  ConsumedMessage,
  ConsumerHealth,
  DeadLetterInput,
  DeadLetterPublisher,
  KafkaConnection,
  KafkaProducer,
  MessageOutcome,
  RawMessage,
} from './kafka.types';
import { outcomeOf } from './per-message.util';

const DLQ_PARTITIONS = 1;

/** One message of the batch being worked on, with its retry bookkeeping. */
/** Why one start attempt failed: the broker not answering the probe (unreachable), or the consumer not starting. */
class StartFailure extends Error {
  constructor(
    message: string,
    readonly reachable: boolean,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'StartFailure';
  }
}

interface Slot<T> {
  readonly offset: string;
  readonly raw: RawMessage;
  readonly timestamp: string;
  readonly value: T | undefined;
  state: 'pending' | 'dead-letter' | 'finished';
  attempt: number;
  firstFailedAt: string | undefined;
  error: PipelineError | undefined;
  retryAfterMs: number | undefined;
}

/**
 * Batch consumer runtime on kafkajs `eachBatch` (autoCommit and auto-resolve
 * off). See README: per-partition batches, per-message outcomes, offsets
 * resolved and committed in partition order up to the last finished message,
 * schema failures and poison messages dead-lettered, retriable failures
 * retried with backoff, a pacemaker heartbeat, graceful stop.
 */
export function createBatchConsumer<S extends z.ZodType>(
  connection: KafkaConnection,
  options: BatchConsumerOptions<S>,
): BatchConsumer {
  type T = z.output<S>;
  const { groupId, topics, schema, handler, service } = options;
  const retryPolicy: BackoffPolicy = options.retry ?? DEFAULT_BACKOFF;
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 3000;
  const sessionTimeoutMs = options.sessionTimeoutMs ?? 30_000;
  const logger = connection.logger.child({ groupId });
  const metrics = kafkaMetrics(options.registry);
  const client = clientOf(connection);

  const stopController = new AbortController();
  let ownedProducer: KafkaProducer | undefined;
  let deadLetters: DeadLetterPublisher | undefined = options.deadLetters;
  let consumer: Consumer | undefined;
  let started: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;
  let running = false;
  let joined = false;
  let lastError: string | undefined = 'not started';
  let inFlight = 0;
  /** Retry bookkeeping of messages whose batch was released while they wait (topic, partition, offset). */
  const retrying = new Map<
    string,
    Pick<Slot<T>, 'attempt' | 'firstFailedAt' | 'error'>
  >();
  const resumeTimers = new Set<NodeJS.Timeout>();
  const slotKey = (topic: string, partition: number, offset: string): string =>
    `${topic}\u0000${partition}\u0000${offset}`;

  function newConsumer(): Consumer {
    const c = client.consumer({
      groupId,
      sessionTimeout: sessionTimeoutMs,
      rebalanceTimeout:
        options.rebalanceTimeoutMs ?? Math.max(60_000, sessionTimeoutMs),
      heartbeatInterval: Math.min(
        heartbeatIntervalMs,
        Math.floor(sessionTimeoutMs / 3),
      ),
      maxBytesPerPartition: options.maxBytesPerPartition ?? 1_048_576,
      maxBytes: options.maxBytes ?? 10_485_760,
      // Long-poll bound: also bounds how long stop() waits for an idle fetch.
      maxWaitTimeInMs: options.maxWaitTimeMs ?? 1000,
      allowAutoTopicCreation: false,
      retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    c.on(c.events.GROUP_JOIN, (e) => {
      joined = true;
      lastError = undefined;
      logger.info(
        {
          memberId: e.payload.memberId,
          assignment: e.payload.memberAssignment,
        },
        'kafka consumer joined group',
      );
    });
    c.on(c.events.REBALANCING, () => {
      joined = false;
    });
    c.on(c.events.STOP, () => {
      joined = false;
    });
    c.on(c.events.CRASH, (e) => {
      joined = false;
      lastError = `consumer crashed: ${describe(e.payload.error)}`;
      logger.error(
        { err: describe(e.payload.error), restart: e.payload.restart },
        'kafka consumer crashed',
      );
      if (!e.payload.restart && !stopController.signal.aborted) {
        // kafkajs gave up on this instance: replace it (never stay silently dead).
        running = false;
        void c.disconnect().catch(() => undefined);
        started = launch();
      }
    });
    return c;
  }

  /** Starts the consumer, retrying with CONNECT_BACKOFF (unlimited) until it runs or `stop` aborts. */
  async function launch(): Promise<void> {
    await retryWithBackoff(startOnce, {
      policy: CONNECT_BACKOFF,
      signal: stopController.signal,
      onRetry: (err, attempt, retryInMs) => {
        const e = err as StartFailure;
        if (e.reachable)
          logger.warn(
            { topics, attempt, retryInMs, err: e.detail },
            'kafka consumer cannot start, retrying',
          );
        else
          logger.warn({ topics, attempt, retryInMs }, `${e.message}, retrying`);
      },
    }).catch((err: unknown) => {
      if (!(err instanceof RetryStoppedError)) throw err;
    });
  }

  /** One start attempt; a failure is a StartFailure (retried by launch). */
  async function startOnce(): Promise<void> {
    if (!(await connection.ping())) {
      lastError = `kafka not reachable at ${connection.brokers.join(',')}`;
      throw new StartFailure(lastError, false);
    }
    const c = newConsumer();
    consumer = c;
    try {
      deadLetters ??= await ownDeadLetterPublisher();
      if (options.ensureDeadLetterTopics ?? true) {
        await ensureTopics(
          connection,
          topics.map((t) => ({
            name: `${t}.dlq`,
            partitions: DLQ_PARTITIONS,
          })),
        );
      }
      await c.connect();
      await c.subscribe({
        topics: [...topics],
        fromBeginning: options.fromBeginning ?? true,
      });
      if (stopController.signal.aborted) return;
      await c.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently:
          options.partitionsConsumedConcurrently ?? 1,
        eachBatch: (payload) => handleBatch(payload),
      });
      running = true;
      logger.info({ topics }, 'kafka batch consumer started');
      return;
    } catch (err) {
      lastError = `cannot start consumer: ${describe(err)}`;
      await c.disconnect().catch(() => undefined);
      throw new StartFailure(lastError, true, describe(err));
    }
  }

  async function ownDeadLetterPublisher(): Promise<DeadLetterPublisher> {
    ownedProducer = createProducer(connection);
    await ownedProducer.connect(stopController.signal);
    return createDeadLetterPublisher(ownedProducer, {
      service,
      ...(options.flow !== undefined ? { flow: options.flow } : {}),
    });
  }

  async function handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const { topic, partition } = batch;
    if (batch.messages.length === 0) return;
    inFlight++;
    const batchAbort = new AbortController();
    const onStop = (): void => batchAbort.abort();
    stopController.signal.addEventListener('abort', onStop, { once: true });
    const pacemaker = startPacemaker(payload, batchAbort);
    try {
      metrics.batchMessages.observe(
        { group: groupId, topic },
        batch.messages.length,
      );
      setLag(
        topic,
        partition,
        batch.highWatermark,
        batch.firstOffset() ?? batch.highWatermark,
      );
      const slots = batch.messages.map((m) => {
        const slot = decode(m);
        const key = slotKey(topic, partition, m.offset);
        const earlier = retrying.get(key);
        if (earlier && slot.state === 'pending') Object.assign(slot, earlier);
        retrying.delete(key);
        return slot;
      });
      let committed = -1;

      const ctx: BatchContext = {
        topic,
        partition,
        groupId,
        signal: batchAbort.signal,
        heartbeat: () => payload.heartbeat(),
        logger,
      };

      for (let round = 1; ; round++) {
        const pending = slots.filter((s) => s.state === 'pending');
        const live = (): boolean =>
          !batchAbort.signal.aborted &&
          payload.isRunning() &&
          !payload.isStale();
        if (pending.length > 0 && live()) {
          const outcomes = await callHandler(pending, ctx);
          applyOutcomes(pending, outcomes, batchAbort.signal.aborted);
        }
        await publishDeadLetters(slots, topic, partition);
        committed = await resolveAndCommit(payload, slots, committed);

        const waiting = slots.filter((s) => s.state !== 'finished');
        if (waiting.length === 0 || !live()) break;
        const delay = Math.max(
          ...waiting.map((s) =>
            s.state === 'pending'
              ? (s.retryAfterMs ?? backoffDelay(retryPolicy, s.attempt - 1))
              : backoffDelay(CONNECT_BACKOFF, round),
          ),
        );
        logger.debug(
          { topic, partition, waiting: waiting.length, retryInMs: delay },
          'retrying unfinished messages',
        );
        const releaseAfter = options.releaseRetryingAfterMs;
        if (
          releaseAfter !== undefined &&
          delay >= releaseAfter &&
          waiting.every((s) => s.state === 'pending')
        ) {
          // Release the batch: other partitions keep flowing; this one is fetched again after the delay.
          for (const s of waiting)
            retrying.set(slotKey(topic, partition, s.offset), {
              attempt: s.attempt,
              firstFailedAt: s.firstFailedAt,
              error: s.error,
            });
          const resume = payload.pause();
          const timer = setTimeout(() => {
            resumeTimers.delete(timer);
            resume();
          }, delay);
          resumeTimers.add(timer);
          break;
        }
        await sleep(delay, batchAbort.signal);
      }
    } finally {
      clearInterval(pacemaker);
      stopController.signal.removeEventListener('abort', onStop);
      inFlight--;
    }
  }

  function decode(m: KafkaMessage): Slot<T> {
    const raw: RawMessage = {
      key: m.key ?? null,
      value: m.value ?? null,
      headers: decodeHeaders(m.headers),
    };
    const slot: Slot<T> = {
      offset: m.offset,
      raw,
      timestamp: m.timestamp,
      value: undefined,
      state: 'pending',
      attempt: 1,
      firstFailedAt: undefined,
      error: undefined,
      retryAfterMs: undefined,
    };
    const failed = (error: PipelineError): Slot<T> => {
      slot.state = 'dead-letter';
      slot.error = error;
      slot.firstFailedAt = new Date().toISOString();
      return slot;
    };
    let json: unknown;
    try {
      if (m.value === null) throw new Error('message has no value (tombstone)');
      json = JSON.parse(m.value.toString('utf8'));
    } catch (err) {
      return failed(
        new NonRetriableError(`value is not JSON: ${describe(err)}`, {
          errorClass: 'schema',
          fieldPath: '(root)',
        }),
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      return failed(
        new NonRetriableError(formatZodIssues(parsed.error), {
          errorClass: 'schema',
          fieldPath: zodPath(parsed.error.issues[0]?.path ?? []),
        }),
      );
    }
    return { ...slot, value: parsed.data as T };
  }

  async function callHandler(
    pending: Slot<T>[],
    ctx: BatchContext,
  ): Promise<MessageOutcome[]> {
    const messages: ConsumedMessage<T>[] = pending.map((s) => ({
      topic: ctx.topic,
      partition: ctx.partition,
      offset: s.offset,
      key: s.raw.key === null ? null : s.raw.key.toString('utf8'),
      value: s.value as T,
      headers: s.raw.headers,
      timestamp: s.timestamp,
      attempt: s.attempt,
      raw: s.raw,
    }));
    try {
      const result = await handler(messages, ctx);
      return pending.map((s, i) => {
        const outcome = isMap(result) ? result.get(s.offset) : result[i];
        return (
          outcome ?? {
            kind: 'retry',
            error: toPipelineError(
              new Error(`handler returned no outcome for offset ${s.offset}`),
            ),
          }
        );
      });
    } catch (err) {
      const outcome = outcomeOf(err);
      logger.warn(
        {
          topic: ctx.topic,
          partition: ctx.partition,
          batchSize: pending.length,
          err: describe(err),
          outcome: outcome.kind,
        },
        'batch handler threw; applying to every message of the call',
      );
      return pending.map(() => outcome);
    }
  }

  /** `aborted`: a retry caused by stop/partition loss costs no attempt (the message is redelivered). */
  function applyOutcomes(
    pending: Slot<T>[],
    outcomes: MessageOutcome[],
    aborted: boolean,
  ): void {
    const now = new Date().toISOString();
    pending.forEach((slot, i) => {
      const outcome = outcomes[i];
      if (outcome === undefined) return;
      switch (outcome.kind) {
        case 'done':
          slot.state = 'finished';
          return;
        case 'dead-letter':
          slot.state = 'dead-letter';
          slot.error = outcome.error;
          slot.firstFailedAt ??= now;
          return;
        case 'retry':
          if (aborted) return;
          slot.error = outcome.error;
          slot.firstFailedAt ??= now;
          if (
            options.retryBudgetMs !== undefined
              ? Date.parse(now) - Date.parse(slot.firstFailedAt) >=
                options.retryBudgetMs
              : slot.attempt >= retryPolicy.attempts
          ) {
            slot.state = 'dead-letter';
          } else {
            slot.attempt++;
            slot.retryAfterMs = outcome.retryAfterMs;
          }
          return;
      }
    });
  }

  async function publishDeadLetters(
    slots: Slot<T>[],
    topic: string,
    partition: number,
  ): Promise<void> {
    const toSend = slots.filter((s) => s.state === 'dead-letter');
    if (toSend.length === 0 || deadLetters === undefined) return;
    const entries: DeadLetterInput[] = toSend.map((s) => ({
      topic,
      partition,
      offset: s.offset,
      raw: s.raw,
      error: s.error ?? toPipelineError(new Error('unknown failure')),
      attempts: s.attempt,
      ...(s.firstFailedAt !== undefined
        ? { firstFailedAt: s.firstFailedAt }
        : {}),
    }));
    try {
      await deadLetters.publish(entries);
    } catch (err) {
      // Leave them unresolved; the round loop retries the publish with backoff.
      lastError = `dead-letter publish failed: ${describe(err)}`;
      logger.error(
        { topic, partition, count: toSend.length, err: describe(err) },
        'cannot publish dead letters; will retry',
      );
      return;
    }
    for (const s of toSend) {
      s.state = 'finished';
      const errorClass = s.error?.errorClass ?? 'unknown';
      metrics.deadLetters.inc({
        group: groupId,
        topic,
        error_class: errorClass,
      });
      logger.warn(
        {
          topic,
          partition,
          offset: s.offset,
          errorClass,
          fieldPath: s.error?.fieldPath,
          attempts: s.attempt,
          reason: s.error?.message,
        },
        'message dead-lettered',
      );
    }
  }

  /** Resolves + commits the finished prefix; returns the index of the last committed slot. */
  async function resolveAndCommit(
    payload: EachBatchPayload,
    slots: Slot<T>[],
    committedIndex: number,
  ): Promise<number> {
    let last = committedIndex;
    while (last + 1 < slots.length && slots[last + 1]?.state === 'finished')
      last++;
    const lastSlot = slots[last];
    if (last === committedIndex || lastSlot === undefined)
      return committedIndex;
    const { topic, partition, highWatermark } = payload.batch;
    payload.resolveOffset(lastSlot.offset);
    const next = (BigInt(lastSlot.offset) + 1n).toString();
    await payload.commitOffsetsIfNecessary({
      topics: [{ topic, partitions: [{ partition, offset: next }] }],
    });
    metrics.messagesConsumed.inc(
      { group: groupId, topic },
      last - committedIndex,
    );
    setLag(topic, partition, highWatermark, next);
    return last;
  }

  function setLag(
    topic: string,
    partition: number,
    highWatermark: string,
    next: string,
  ): void {
    const lag = BigInt(highWatermark) - BigInt(next);
    metrics.consumerLag.set(
      { group: groupId, topic, partition: String(partition) },
      Number(lag > 0n ? lag : 0n),
    );
  }

  /** Heartbeats while a handler runs; aborts the batch when the partition is lost. */
  function startPacemaker(
    payload: EachBatchPayload,
    batchAbort: AbortController,
  ): NodeJS.Timeout {
    const timer = setInterval(() => {
      if (!payload.isRunning() || payload.isStale()) {
        batchAbort.abort();
        return;
      }
      payload.heartbeat().catch((err: unknown) => {
        // Heartbeat failures are swallowed on purpose: a rebalance surfaces here
        // as REBALANCE_IN_PROGRESS; we abort the handler so the group can move on,
        // and the unresolved messages are redelivered (at-least-once).
        logger.debug({ err: describe(err) }, 'pacemaker heartbeat failed');
        batchAbort.abort();
      });
    }, heartbeatIntervalMs);
    timer.unref();
    return timer;
  }

  return {
    groupId,
    start(): Promise<void> {
      if (stopController.signal.aborted) return Promise.resolve();
      started ??= launch();
      return started;
    },
    stop(): Promise<void> {
      stopping ??= (async () => {
        stopController.abort();
        for (const timer of resumeTimers) clearTimeout(timer);
        resumeTimers.clear();
        await started?.catch(() => undefined);
        if (consumer !== undefined) {
          // disconnect() stops fetching, waits for the running eachBatch (which
          // commits what it finished), then leaves the group.
          await consumer.disconnect();
        }
        running = false;
        joined = false;
        lastError = 'stopped';
        await ownedProducer?.disconnect().catch(() => undefined);
        if (inFlight > 0)
          logger.warn({ inFlight }, 'batches still in flight after stop');
        logger.info({ topics }, 'kafka batch consumer stopped');
      })();
      return stopping;
    },
    isReady: () => running && joined,
    health(): ConsumerHealth {
      if (running && joined) return { ready: true };
      return {
        ready: false,
        reason: lastError ?? (running ? 'joining group' : 'starting'),
      };
    },
  };
}

function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first.toString();
  }
  return out;
}

function isMap(
  value: readonly MessageOutcome[] | ReadonlyMap<string, MessageOutcome>,
): value is ReadonlyMap<string, MessageOutcome> {
  return value instanceof Map;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
