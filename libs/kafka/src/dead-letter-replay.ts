import {
  deadLetterSchema,
  isDlqTopic,
  type DeadLetter,
} from '@kingbridge/contracts';
import { createProducer } from './kafka-producer';
import { readTopic } from './read-topic';
import type { KafkaConnection } from './kafka.types';

/*
 * Replay of raw-topic dead letters (the transform's): re-publish a letter's original bytes (key, value,
 * headers) to its original topic. A window-level letter carries a window replay request, which re-opens the
 * dead-lettered window. Used by scripts/replay-dlq.ts and the tests.
 */

export interface DeadLetterSelector {
  readonly errorClass?: string;
  readonly flow?: string;
  /** Original message key (utf-8). */
  readonly key?: string;
  /** Offsets in the `.dlq` topic. */
  readonly offsets?: readonly string[];
}

export interface StoredTopicDeadLetter {
  readonly dlqOffset: string;
  readonly dlqPartition: number;
  readonly letter: DeadLetter;
  /** Original key as utf-8 (null when absent). */
  readonly key: string | null;
}

/** Every dead letter currently in `dlq` (reads up to the high watermark). Letters that fail the schema are skipped. */
export async function listTopicDeadLetters(
  connection: KafkaConnection,
  dlq: string,
  selector: DeadLetterSelector = {},
): Promise<StoredTopicDeadLetter[]> {
  if (!isDlqTopic(dlq))
    throw new Error(`${dlq} is not a dead-letter topic (<topic>.dlq)`);
  const topics = await connection.admin.listTopics();
  if (!topics.includes(dlq)) {
    const known = topics.filter(isDlqTopic).sort();
    throw new Error(
      `${dlq} does not exist on this broker (dead-letter topics here: ${known.length > 0 ? known.join(', ') : 'none yet'})`,
    );
  }
  const marks = await connection.admin.fetchHighWatermarks(dlq);
  const count = marks.reduce((n, m) => n + Math.max(0, Number(m.offset)), 0);
  if (count === 0) return [];
  const messages = await readTopic(connection, dlq, {
    count,
    timeoutMs: 30_000,
  });
  const out: StoredTopicDeadLetter[] = [];
  for (const m of messages) {
    if (m.value === null) continue;
    let json: unknown;
    try {
      json = JSON.parse(m.value.toString('utf8'));
    } catch {
      continue;
    }
    const parsed = deadLetterSchema.safeParse(json);
    if (!parsed.success) continue;
    const letter = parsed.data;
    const key =
      letter.key === null
        ? null
        : Buffer.from(letter.key, 'base64').toString('utf8');
    if (
      selector.errorClass !== undefined &&
      letter.errorClass !== selector.errorClass
    )
      continue;
    if (selector.flow !== undefined && letter.flow !== selector.flow) continue;
    if (selector.key !== undefined && key !== selector.key) continue;
    if (selector.offsets !== undefined && !selector.offsets.includes(m.offset))
      continue;
    out.push({ dlqOffset: m.offset, dlqPartition: m.partition, letter, key });
  }
  return out;
}

/** Re-publishes the selected letters' original bytes to their original topics; returns what was replayed. */
export async function replayTopicDeadLetters(
  connection: KafkaConnection,
  dlq: string,
  selector: DeadLetterSelector = {},
): Promise<StoredTopicDeadLetter[]> {
  const letters = await listTopicDeadLetters(connection, dlq, selector);
  if (letters.length === 0) return [];
  const producer = createProducer(connection, { maxInFlightRequests: 1 });
  await producer.connect(AbortSignal.timeout(30_000));
  try {
    for (const { letter } of letters) {
      await producer.send(letter.originalTopic, [
        {
          key:
            letter.key === null
              ? null
              : Buffer.from(letter.key, 'base64').toString('utf8'),
          value:
            letter.value === null ? null : Buffer.from(letter.value, 'base64'),
          headers: {
            ...letter.headers,
            'kb-replayed-from': `${dlq}:${letter.partition}:${letter.offset}`,
          },
        },
      ]);
    }
  } finally {
    await producer.disconnect();
  }
  return letters;
}
