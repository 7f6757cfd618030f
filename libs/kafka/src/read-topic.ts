import { randomUUID } from 'node:crypto';
import type { IHeaders } from 'kafkajs';
import { clientOf } from './kafka-connection';
import type { KafkaConnection, RawMessage } from './kafka.types';

export interface ReadTopicOptions {
  /** Stop once this many messages were read. */
  readonly count: number;
  /** Give up (resolve with what was read) after this long. Default 20 s. */
  readonly timeoutMs?: number;
  /** Read from the earliest offset (default true); otherwise only new messages. */
  readonly fromBeginning?: boolean;
}

export interface ReadMessage extends RawMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/**
 * Reads raw messages from a topic with a throw-away consumer group that never
 * commits. For tools, replays and tests; services use createBatchConsumer.
 */
export async function readTopic(
  connection: KafkaConnection,
  topic: string,
  options: ReadTopicOptions,
): Promise<ReadMessage[]> {
  const consumer = clientOf(connection).consumer({
    groupId: `kb-reader-${randomUUID()}`,
    allowAutoTopicCreation: false,
    sessionTimeout: 10_000,
    heartbeatInterval: 1000,
    maxWaitTimeInMs: 500,
  });
  const out: ReadMessage[] = [];
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const timer = setTimeout(done, options.timeoutMs ?? 20_000);
  try {
    await consumer.connect();
    await consumer.subscribe({
      topics: [topic],
      fromBeginning: options.fromBeginning ?? true,
    });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message, partition }) => {
        out.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key ?? null,
          value: message.value ?? null,
          headers: headersOf(message.headers),
        });
        if (out.length >= options.count) done();
      },
    });
    await finished;
    return out;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
}

function headersOf(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first.toString();
  }
  return out;
}
