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
  createKafkaConnection,
  listTopicDeadLetters,
  replayTopicDeadLetters,
  type DeadLetterSelector,
} from '@kingbridge/kafka';
import { UsageError, asUsageError, wantsHelp } from '@kingbridge/config';
import { createLogger } from '@kingbridge/observability';

export {
  listTopicDeadLetters,
  replayTopicDeadLetters,
  type DeadLetterSelector,
  type StoredTopicDeadLetter,
} from '@kingbridge/kafka';

const envSchema = z.object({
  KAFKA_BROKERS: z.string().min(1).default('127.0.0.1:19092'),
});

export const REPLAY_DLQ_USAGE =
  'usage: tsx scripts/replay-dlq.ts <list|replay> <topic.dlq> [--error-class c] [--flow f] [--key k] [--offset n]... [--dry-run]';

/** Lists or replays a topic's dead letters; returns the exit code (2: usage). */
export async function run(argv: readonly string[]): Promise<number> {
  if (wantsHelp(argv)) {
    console.log(REPLAY_DLQ_USAGE);
    return 0;
  }
  try {
    await replay(argv);
    return 0;
  } catch (err) {
    const e = asUsageError(err);
    if (!(e instanceof UsageError)) throw e;
    console.error(`dlq: ${e.message}\n\n${REPLAY_DLQ_USAGE}`);
    return 2;
  }
}

async function replay(argv: readonly string[]): Promise<void> {
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
  if (command !== 'list' && command !== 'replay')
    throw new UsageError(
      command === undefined
        ? 'give a command: list or replay'
        : `unknown command ${command}`,
    );
  if (dlq === undefined) throw new UsageError(`${command} needs <topic.dlq>`);
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
  run(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(
        `replay-dlq: ${err instanceof Error ? err.message : String(err)}`,
      );
      process.exit(1);
    },
  );
}
