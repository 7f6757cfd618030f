/**
 * Re-publishes dead letters of a `<topic>.dlq` to their original topic, byte for byte (key, value, headers):
 *   tsx scripts/replay-dlq.ts list   <topic.dlq> [--error-class c] [--flow f] [--key k] [--offset n]...
 *   tsx scripts/replay-dlq.ts replay <topic.dlq> [same filters] [--dry-run]
 * For the transform's raw-topic dead letters (lookup, mapping, schema failures): fix the cause (e.g. load the
 * master data with scripts/lookups.ts), then replay. The consumers are idempotent on (source, sourceId, version),
 * so replaying a letter twice does not write twice. Kingdee-side failures have their own replay
 * (`services/sink-kingdee/src/cli.ts dlq replay`). Uses KAFKA_BROKERS.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import {
  deadLetterSchema,
  isDlqTopic,
  type DeadLetter,
} from '@kingbridge/contracts';
import {
  createKafkaConnection,
  createProducer,
  readTopic,
  type KafkaConnection,
} from '@kingbridge/kafka';
import { createLogger } from '@kingbridge/observability';

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

const envSchema = z.object({
  KAFKA_BROKERS: z.string().min(1).default('127.0.0.1:19092'),
});

async function main(argv: readonly string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      'error-class': { type: 'string' },
      flow: { type: 'string' },
      key: { type: 'string' },
      offset: { type: 'string', multiple: true },
      'dry-run': { type: 'boolean' },
    },
  });
  const [command, dlq] = positionals;
  if ((command !== 'list' && command !== 'replay') || dlq === undefined) {
    throw new Error(
      'usage: tsx scripts/replay-dlq.ts <list|replay> <topic.dlq> [--error-class c] [--flow f] [--key k] [--offset n]... [--dry-run]',
    );
  }
  // This CLI is a script, not a service: its only setting is read here and validated.
  const env = envSchema.parse({ KAFKA_BROKERS: process.env.KAFKA_BROKERS });
  const connection = createKafkaConnection({
    brokers: env.KAFKA_BROKERS.split(','),
    clientId: 'kingbridge-replay-dlq',
    logger: createLogger('replay-dlq', 'warn'),
  });
  const selector: DeadLetterSelector = {
    errorClass: values['error-class'],
    flow: values.flow,
    key: values.key,
    offsets: values.offset,
  };
  const letters =
    command === 'replay' && values['dry-run'] !== true
      ? await replayTopicDeadLetters(connection, dlq, selector)
      : await listTopicDeadLetters(connection, dlq, selector);
  for (const l of letters) {
    console.log(
      JSON.stringify({
        dlqOffset: l.dlqOffset,
        originalTopic: l.letter.originalTopic,
        key: l.key,
        flow: l.letter.flow,
        errorClass: l.letter.errorClass,
        errorMessage: l.letter.errorMessage,
      }),
    );
  }
  console.error(
    `${command === 'replay' && values['dry-run'] !== true ? 'replayed' : 'selected'} ${letters.length} dead letter(s)`,
  );
}

if (process.argv[1]?.endsWith('replay-dlq.ts')) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(
      `replay-dlq: ${err instanceof Error ? err.message : String(err)}`,
    );
    process.exit(1);
  });
}
