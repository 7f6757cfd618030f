import { randomBytes } from 'node:crypto';
import { formatZodIssues } from '@kingbridge/contracts';
import {
  createBatchConsumer,
  createKafkaConnection,
  ensureTopics,
  readTopic,
  type BatchConsumer,
  type KafkaConnection,
  type ReadMessage,
} from '@kingbridge/kafka';
import { createLogger } from '@kingbridge/observability';
import { Registry } from 'prom-client';
import type { z } from 'zod';
import { pollUntil } from './poll-until.util';
import { TEST_BROKERS } from './test-broker';

/** The broker integration tests use: the global setup's own test broker (test-broker.ts), never the main job's. */
export const TEST_KAFKA_BROKERS: readonly string[] = (
  process.env['KAFKA_BROKERS'] ?? TEST_BROKERS
).split(',');

/** `prefix-<12 hex>`: unique topic / group / id per test (kafkajs secureRandom idea). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

let shared: KafkaConnection | undefined;

/** One connection per test process, logging only warnings and errors. */
export function testKafkaConnection(): KafkaConnection {
  shared ??= createKafkaConnection({
    brokers: TEST_KAFKA_BROKERS,
    clientId: 'kingbridge-test',
    logger: createLogger('test', process.env['TEST_LOG_LEVEL'] ?? 'error'),
  });
  return shared;
}

/**
 * Creates unique topics (and their `.dlq`) for one test.
 * `createTestTopics(['orders'], { partitions: 3 })` → `['orders-1a2b…']`.
 */
export async function createTestTopics(
  prefixes: readonly string[],
  options: {
    partitions?: number;
    withDlq?: boolean;
    connection?: KafkaConnection;
  } = {},
): Promise<string[]> {
  const names = prefixes.map((p) => uniqueName(p));
  const specs = names.flatMap((name) => [
    { name, partitions: options.partitions ?? 1 },
    ...(options.withDlq === false
      ? []
      : [{ name: `${name}.dlq`, partitions: 1 }]),
  ]);
  await ensureTopics(options.connection ?? testKafkaConnection(), specs);
  return names;
}

export interface ReceivedMessage<T> {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: T;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Reads `<topic>` from the beginning until `count` messages arrived (fails
 * after `timeoutMs`, default 20 s, naming how many came). Values are JSON
 * parsed and, when `schema` is given, validated (a failure throws with the path).
 */
export async function waitForMessages<T = unknown>(
  topic: string,
  count: number,
  options: {
    schema?: z.ZodType<T>;
    timeoutMs?: number;
    connection?: KafkaConnection;
  } = {},
): Promise<ReceivedMessage<T>[]> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const read = await readTopic(
    options.connection ?? testKafkaConnection(),
    topic,
    {
      count,
      timeoutMs,
    },
  );
  if (read.length < count) {
    throw new Error(
      `waitForMessages: ${read.length} of ${count} messages on ${topic} within ${timeoutMs} ms`,
    );
  }
  return read
    .sort(
      (a, b) =>
        a.partition - b.partition ||
        Number(BigInt(a.offset) - BigInt(b.offset)),
    )
    .map((m) => decode(m, options.schema));
}

function decode<T>(
  m: ReadMessage,
  schema: z.ZodType<T> | undefined,
): ReceivedMessage<T> {
  const json: unknown =
    m.value === null ? null : JSON.parse(m.value.toString('utf8'));
  let value = json as T;
  if (schema) {
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new Error(
        `waitForMessages: ${m.topic}[${m.partition}]@${m.offset} fails schema: ${formatZodIssues(parsed.error)}`,
      );
    }
    value = parsed.data;
  }
  return {
    partition: m.partition,
    offset: m.offset,
    key: m.key === null ? null : m.key.toString('utf8'),
    value,
    headers: m.headers,
  };
}

/** Collects the messages of a topic that match `keep`, with a unique group (reads from the beginning). */
export class TopicCollector<T> {
  readonly items: Array<{
    key: string | null;
    value: T;
    partition: number;
    offset: string;
  }> = [];
  private consumer: BatchConsumer | undefined;

  constructor(
    private readonly topic: string,
    private readonly schema: z.ZodType<T>,
    private readonly keep: (value: T) => boolean,
  ) {}

  async start(): Promise<this> {
    this.consumer = createBatchConsumer(testKafkaConnection(), {
      groupId: uniqueName('it-collector'),
      topics: [this.topic],
      schema: this.schema,
      service: 'topic-collector',
      registry: new Registry(),
      ensureDeadLetterTopics: false,
      maxWaitTimeMs: 200,
      handler: async (messages) => {
        for (const m of messages) {
          if (this.keep(m.value))
            this.items.push({
              key: m.key,
              value: m.value,
              partition: m.partition,
              offset: m.offset,
            });
        }
        return messages.map(() => ({ kind: 'done' as const }));
      },
    });
    await this.consumer.start();
    await pollUntil(() => this.consumer?.isReady(), {
      timeoutMs: 30_000,
      description: `collector on ${this.topic} ready`,
    });
    return this;
  }

  async waitFor(count: number, timeoutMs = 30_000): Promise<T[]> {
    await pollUntil(() => this.items.length >= count, {
      timeoutMs,
      description: `${count} messages on ${this.topic} (have ${this.items.length})`,
    });
    return this.items.map((i) => i.value);
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
  }
}
