import { formatZodIssues, zodPath } from '@kingbridge/contracts';
import {
  NonRetriableError,
  RetriableError,
  RetryStoppedError,
  retryWithBackoff,
} from '@kingbridge/pipeline-core';
import { CompressionTypes, Partitioners, type Producer } from 'kafkajs';
import type { z } from 'zod';
import { CONNECT_BACKOFF, clientOf } from './kafka-connection';
import type {
  KafkaConnection,
  KafkaProducer,
  KafkaProducerOptions,
  OutgoingJsonMessage,
  OutgoingMessage,
  ProducedRecord,
} from './kafka.types';

/**
 * Idempotent producer: acks = all (-1), idempotent, max in-flight 1..5 so
 * ordering per partition survives retries.
 */
export function createProducer(
  connection: KafkaConnection,
  options: KafkaProducerOptions = {},
): KafkaProducer {
  const maxInFlight = options.maxInFlightRequests ?? 5;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1 || maxInFlight > 5) {
    throw new Error(
      `maxInFlightRequests must be 1..5 with idempotence, got ${maxInFlight}`,
    );
  }
  const logger = connection.logger;
  const producer: Producer = clientOf(connection).producer({
    idempotent: true,
    maxInFlightRequests: maxInFlight,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: {
      retries: options.retries ?? 8,
      initialRetryTime: 300,
      maxRetryTime: 10_000,
    },
  });
  let connected = false;
  let connecting: Promise<void> | undefined;
  producer.on(producer.events.CONNECT, () => {
    connected = true;
  });
  producer.on(producer.events.DISCONNECT, () => {
    connected = false;
  });

  async function connect(signal?: AbortSignal): Promise<void> {
    if (connected) return;
    connecting ??= retryWithBackoff(
      async (attempt) => {
        // A cheap probe first: kafkajs' own connect retries take many seconds to fail.
        if (!(await connection.ping())) {
          throw new Error(
            `kafka not reachable at ${connection.brokers.join(',')}`,
          );
        }
        await producer.connect();
        connected = true;
        if (attempt > 1) logger.info({ attempt }, 'kafka producer connected');
      },
      {
        policy: CONNECT_BACKOFF,
        signal,
        // Stopping: the failure is the caller's as it is.
        retryable: () => !signal?.aborted,
        onRetry: (err, attempt, retryInMs) =>
          logger.warn(
            { attempt, retryInMs, err: describe(err) },
            'kafka producer cannot connect, retrying',
          ),
      },
    )
      .catch((err: unknown) => {
        // Aborted while waiting: the last failure (unlimited attempts, no deadline: nothing else stops it).
        throw err instanceof RetryStoppedError && err.lastError !== undefined
          ? err.lastError
          : err;
      })
      .finally(() => {
        connecting = undefined;
      });
    return connecting;
  }

  async function send(
    topic: string,
    messages: readonly OutgoingMessage[],
  ): Promise<ProducedRecord[]> {
    if (messages.length === 0) return [];
    if (!connected) await connect();
    try {
      const res = await producer.send({
        topic,
        acks: -1,
        compression: CompressionTypes.None,
        messages: messages.map((m) => ({
          key: m.key,
          value: m.value,
          headers: m.headers ? { ...m.headers } : undefined,
          partition: m.partition,
        })),
      });
      return res.map((r) => ({
        topic: r.topicName,
        partition: r.partition,
        offset: r.baseOffset ?? r.offset ?? '-1',
      }));
    } catch (err) {
      // kafkajs already retried internally; the caller decides whether to retry again.
      throw new RetriableError(`produce to ${topic} failed: ${describe(err)}`, {
        errorClass: 'network',
        cause: err,
      });
    }
  }

  async function sendJson<S extends z.ZodType>(
    topic: string,
    schema: S,
    messages: readonly OutgoingJsonMessage<z.input<S>>[],
  ): Promise<ProducedRecord[]> {
    const encoded: OutgoingMessage[] = messages.map((m, index) => {
      const parsed = schema.safeParse(m.value);
      if (!parsed.success) {
        throw new NonRetriableError(
          `message ${index} for ${topic} fails its schema: ${formatZodIssues(parsed.error)}`,
          {
            errorClass: 'schema',
            fieldPath: zodPath(parsed.error.issues[0]?.path ?? []),
          },
        );
      }
      return {
        key: m.key,
        value: JSON.stringify(parsed.data),
        headers: m.headers,
      };
    });
    return send(topic, encoded);
  }

  return {
    connect,
    send,
    sendJson,
    async disconnect() {
      await producer.disconnect();
      connected = false;
    },
    isReady: () => connected,
  };
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
