import type { KafkaSecurity } from '@kingbridge/config';
import type { PipelineError, BackoffPolicy } from '@kingbridge/pipeline-core';
import type { Logger } from '@kingbridge/observability';
import type { Registry } from 'prom-client';
import type { z } from 'zod';

/*
 * Public surface of @kingbridge/kafka. Nothing here mentions kafkajs: the
 * client library can be swapped (e.g. @confluentinc/kafka-javascript) by
 * touching only this lib (ADR 0003).
 */

export interface KafkaConnectionOptions {
  /** `host:port` list, e.g. `['127.0.0.1:19092']`. */
  readonly brokers: readonly string[];
  /** Client id sent to the broker; use the service name. */
  readonly clientId: string;
  readonly logger: Logger;
  /** TCP connect timeout per broker (default 3000 ms). */
  readonly connectionTimeoutMs?: number;
  /** Request timeout (default 30000 ms). */
  readonly requestTimeoutMs?: number;
  /**
   * SASL / TLS. Default: read from this process's environment
   * (`KAFKA_SECURITY_PROTOCOL`, `KAFKA_SASL_*`, `KAFKA_SSL_*`, each also as `NAME_FILE`).
   */
  readonly security?: KafkaSecurity;
}

/** A handle on one Kafka cluster: creates producers, consumers and admin calls. */
export interface KafkaConnection {
  readonly clientId: string;
  readonly brokers: readonly string[];
  readonly logger: Logger;
  /** Admin operations (one short-lived admin client per call). */
  readonly admin: KafkaAdmin;
  /**
   * Resolves once the cluster answers a metadata request; retries with
   * backoff (logging why) until it does or `signal` aborts (then rejects).
   */
  waitUntilReachable(signal?: AbortSignal): Promise<void>;
  /** One metadata round trip; true when the cluster answered within `timeoutMs`. */
  ping(timeoutMs?: number): Promise<boolean>;
}

export interface TopicPartitionOffset {
  readonly partition: number;
  /** Next offset to read (committed) or high watermark; `-1` when none. */
  readonly offset: string;
}

/** Admin calls used by services, health checks and tests. */
export interface KafkaAdmin {
  listTopics(): Promise<string[]>;
  /** Partition count per topic; topics that do not exist are absent. */
  describeTopics(topics: readonly string[]): Promise<Map<string, number>>;
  /** Committed offsets of `groupId` on `topic` (offset `-1` = nothing committed). */
  fetchCommittedOffsets(
    groupId: string,
    topic: string,
  ): Promise<TopicPartitionOffset[]>;
  /** High watermark per partition (the offset the next produced message gets). */
  fetchHighWatermarks(topic: string): Promise<TopicPartitionOffset[]>;
  deleteTopics(topics: readonly string[]): Promise<void>;
  /** Member count of a consumer group (0 = empty or unknown group). */
  describeGroupMembers(groupId: string): Promise<number>;
}

/** One message to produce. Strings are sent as UTF-8. */
export interface OutgoingMessage {
  readonly key: string | null;
  readonly value: string | Buffer | null;
  readonly headers?: Readonly<Record<string, string>>;
  /** Explicit partition; normally omitted (partitioned by key). */
  readonly partition?: number;
}

export interface OutgoingJsonMessage<T> {
  readonly key: string | null;
  readonly value: T;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ProducedRecord {
  readonly topic: string;
  readonly partition: number;
  /** Base offset of the write on that partition. */
  readonly offset: string;
}

export interface KafkaProducerOptions {
  /** Max in-flight requests per broker, 1..5 (idempotence keeps order). Default 5. */
  readonly maxInFlightRequests?: number;
  /** Retries of a failed produce request inside the client (default 8). */
  readonly retries?: number;
}

/**
 * Idempotent producer (acks = all, enable.idempotence). `send` resolves only
 * after every message is acknowledged by the in-sync replicas, so a caller
 * can persist a checkpoint right after it.
 */
export interface KafkaProducer {
  /** Connects, retrying with backoff until reachable or `signal` aborts. */
  connect(signal?: AbortSignal): Promise<void>;
  send(
    topic: string,
    messages: readonly OutgoingMessage[],
  ): Promise<ProducedRecord[]>;
  /**
   * Validates each value with `schema` (throws NonRetriableError 'schema'
   * naming the field before anything is sent), then sends it as JSON.
   */
  sendJson<S extends z.ZodType>(
    topic: string,
    schema: S,
    messages: readonly OutgoingJsonMessage<z.input<S>>[],
  ): Promise<ProducedRecord[]>;
  disconnect(): Promise<void>;
  isReady(): boolean;
}

/** A consumed message after JSON parse + zod validation. */
export interface ConsumedMessage<T> {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: T;
  readonly headers: Readonly<Record<string, string>>;
  /** Broker timestamp, ms since epoch as a string. */
  readonly timestamp: string;
  /** 1 on first delivery to the handler, incremented on each in-process retry. */
  readonly attempt: number;
  /** The original bytes (for dead letters and replays). */
  readonly raw: RawMessage;
}

export interface RawMessage {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * What happened to one message of the batch. The runtime resolves offsets in
 * partition order only up to the last message that is `done` or dead-lettered.
 */
export type MessageOutcome =
  | { readonly kind: 'done' }
  | { readonly kind: 'dead-letter'; readonly error: PipelineError }
  | {
      readonly kind: 'retry';
      readonly error: PipelineError;
      /** Overrides the backoff delay (e.g. a server's Retry-After). */
      readonly retryAfterMs?: number;
    };

export interface BatchContext {
  readonly topic: string;
  readonly partition: number;
  readonly groupId: string;
  /** Aborted when the consumer stops or loses the partition: finish or bail out. */
  readonly signal: AbortSignal;
  /** Heartbeats now (a pacemaker also heartbeats while the handler runs). */
  heartbeat(): Promise<void>;
  readonly logger: Logger;
}

/**
 * Handles a batch of messages of ONE topic-partition, in offset order.
 * Returns one outcome per message, same order and length as `messages`
 * (or a Map keyed by offset; missing entries count as `retry`).
 * Throwing applies the thrown error (classified with toPipelineError) to every
 * message of the call: retriable -> retried, otherwise dead-lettered.
 * Only return `done` once the message's effect is durable.
 */
export type BatchHandler<T> = (
  messages: readonly ConsumedMessage<T>[],
  ctx: BatchContext,
) => Promise<readonly MessageOutcome[] | ReadonlyMap<string, MessageOutcome>>;

/** A per-message handler; adapt it with `perMessage()`. Throw to fail the message. */
export type MessageHandler<T> = (
  message: ConsumedMessage<T>,
  ctx: BatchContext,
) => Promise<void>;

export interface BatchConsumerOptions<S extends z.ZodType> {
  readonly groupId: string;
  readonly topics: readonly string[];
  /** Every message value is JSON-parsed and validated with this; failures go to `<topic>.dlq`. */
  readonly schema: S;
  readonly handler: BatchHandler<z.output<S>>;
  /** Written into dead letters (`service`). */
  readonly service: string;
  /** Written into dead letters (`flow`), when the consumer serves one flow. */
  readonly flow?: string;
  /** Retry policy for `retry` outcomes; `attempts` includes the first. Default DEFAULT_BACKOFF. */
  readonly retry?: BackoffPolicy;
  /** Start from the earliest offset when the group has no commit (default true). */
  readonly fromBeginning?: boolean;
  /** Pacemaker interval while a handler runs (default 3000 ms). */
  readonly heartbeatIntervalMs?: number;
  /** Group session timeout (default 30000 ms). */
  readonly sessionTimeoutMs?: number;
  /**
   * How long the group waits for members to rejoin in a rebalance (default
   * max(60000, sessionTimeoutMs)). A member whose handler is still running
   * then is dropped and its partitions move on.
   */
  readonly rebalanceTimeoutMs?: number;
  /**
   * Retry budget by time: a message is dead-lettered once it has been failing
   * for this long (backoff per `retry`, `retry.attempts` ignored). Default:
   * by attempts only.
   */
  readonly retryBudgetMs?: number;
  /**
   * When the next retry of a batch is at least this far away, the partition
   * is paused and the batch released until then (fetched again from the first
   * unfinished message), so one retrying partition never holds up the others.
   * Default: the batch waits in place.
   */
  readonly releaseRetryingAfterMs?: number;
  /** Max bytes fetched per partition per batch (default 1 MiB). */
  readonly maxBytesPerPartition?: number;
  /**
   * Max bytes of one fetch over every partition (default 10 MiB, kafkajs'). With maxBytesPerPartition it
   * bounds what a consumer holds decoded at once (memory).
   */
  readonly maxBytes?: number;
  /** Max time the broker holds an empty fetch (default 1000 ms; bounds stop() latency when idle). */
  readonly maxWaitTimeMs?: number;
  /** Partitions handled concurrently (default 1). */
  readonly partitionsConsumedConcurrently?: number;
  /** Create missing `<topic>.dlq` topics at start (default true). */
  readonly ensureDeadLetterTopics?: boolean;
  /** Metrics registry (default: prom-client's global register). */
  readonly registry?: Registry;
  /** Producer for dead letters; default: one created on the same connection. */
  readonly deadLetters?: DeadLetterPublisher;
}

export interface ConsumerHealth {
  readonly ready: boolean;
  /** Why not ready (last connect/crash error), for /health/ready. */
  readonly reason?: string;
}

export interface BatchConsumer {
  readonly groupId: string;
  /**
   * Connects (retrying with backoff, logging why, until stop()), joins the
   * group and starts consuming. Resolves once consumption has started.
   */
  start(): Promise<void>;
  /**
   * Stops fetching, aborts handler signals, waits for in-flight batches to
   * finish, commits what is resolved and leaves the group. Idempotent.
   */
  stop(): Promise<void>;
  isReady(): boolean;
  health(): ConsumerHealth;
}

/** Input of DeadLetterPublisher.publish: the failed message and why. */
export interface DeadLetterInput {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly raw: RawMessage;
  readonly error: PipelineError;
  readonly attempts: number;
  /** ISO time of the first failure (default: now). */
  readonly firstFailedAt?: string;
  /** Overrides the publisher's service / flow. */
  readonly service?: string;
  readonly flow?: string;
}

/**
 * Writes `deadLetterSchema` records to `<topic>.dlq` (key = original key,
 * plus `kb-error-class` / `kb-original-topic` headers). Resolves when acked.
 */
export interface DeadLetterPublisher {
  publish(entries: readonly DeadLetterInput[]): Promise<void>;
}
