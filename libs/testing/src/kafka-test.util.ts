import { randomBytes } from 'node:crypto';
import { formatZodIssues } from '@kingbridge/contracts';
import {
  createKafkaConnection,
  ensureTopics,
  readTopic,
  type KafkaConnection,
  type ReadMessage,
} from '@kingbridge/kafka';
import { createLogger } from '@kingbridge/observability';
import type { z } from 'zod';
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
