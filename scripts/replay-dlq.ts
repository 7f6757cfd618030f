/**
 * The one dead-letter CLI (`kingbridge dlq`), over both places dead letters are kept:
 *   tsx scripts/replay-dlq.ts list|replay <topic.dlq> [--error-class c] [--flow f] [--key k] [--offset n]... [--dry-run]
 *   tsx scripts/replay-dlq.ts list|replay sink [--flow f] [--error-class c] [--since T] [--until T] [--key k] [--id n]...
 *                                         [--source-id s] [--status s] [--limit n] [--json] [--dry-run]
 * `<topic.dlq>`: a Kafka dead-letter topic (the transform's raw-topic dead letters: lookup, mapping, schema
 * failures); replay re-publishes each letter to its original topic, byte for byte (key, value, headers).
 * `sink`: the sink's Kingdee dead letters in Postgres (`sink_kingdee.dead_letter`: missing base data, validation,
 * changed after write); replay re-submits them, the ledger still writing each document once.
 * Fix the cause first (e.g. load the master data with scripts/lookups.ts), then replay. The consumers are
 * idempotent on (source, sourceId, version), so replaying a letter twice does not write twice.
 * `services/sink-kingdee/src/cli.ts dlq list|replay [options]` is an alias of `dlq list|replay sink [options]`.
 * Env: KAFKA_BROKERS, DATABASE_URL (sink).
 */
import { z } from 'zod';
import {
  createKafkaConnection,
  listTopicDeadLetters,
  replayTopicDeadLetters,
  type DeadLetterSelector,
} from '@kingbridge/kafka';
import {
  UsageError,
  loadConfigOrExit,
  parseCliArgs,
  runCliCommand,
  runIfStartedAs,
} from '@kingbridge/config';
import { createLogger } from '@kingbridge/observability';
import {
  SinkAdminService,
  type DeadLetterFilter,
  type StoredDeadLetter,
} from '@kingbridge/sink-kingdee';
import { operatorConfigSchema, timeOption } from './operator-options';

export {
  listTopicDeadLetters,
  replayTopicDeadLetters,
  type DeadLetterSelector,
  type StoredTopicDeadLetter,
} from '@kingbridge/kafka';

const envSchema = z.object({
  KAFKA_BROKERS: z.string().min(1).default('127.0.0.1:19092'),
});

/** Where the sink's dead letters are chosen instead of a `<topic>.dlq`. */
export const SINK_STORE = 'sink';

export const REPLAY_DLQ_USAGE = `usage: tsx scripts/replay-dlq.ts <list|replay> <topic.dlq | sink> [options]   (kingbridge dlq ...)
  <topic.dlq>            a Kafka dead-letter topic (e.g. the transform's <raw topic>.dlq); replay re-publishes
                         each letter to its original topic, byte for byte
  sink                   the sink's Kingdee dead letters (Postgres); replay re-submits them through the ledger
  --flow <id>            only this flow
  --error-class <class>  only this error class (missing_base_data, validation, ...)
  --key <key>            only this message key (topic) / document key (sink)
  --offset <n>           (topic) only the letter at this dead-letter offset (repeatable)
  --id <n>               (sink) only this dead letter (repeatable)
  --source-id <id>       (sink) only dead letters of documents built from this source record
  --since <T>, --until <T>  (sink) dead-lettered in [since, until): ISO-8601 with an offset,
                         'yyyy-MM-dd[ HH:mm[:ss]]' in Beijing time, or now / now-1h / now-7d
  --status <s>           (sink) open (default) | replayed | resolved | all
  --limit <n>            (sink) at most n (default 1000)
  --json                 (sink list) one JSON object per line (topic letters are always JSON lines)
  --dry-run              (replay) show what would be replayed
Exit codes: 0 ok, 2 usage or setup error. Env: KAFKA_BROKERS, DATABASE_URL (sink).`;

const OPTIONS = {
  'error-class': { type: 'string' },
  flow: { type: 'string' },
  key: { type: 'string' },
  offset: { type: 'string', multiple: true },
  id: { type: 'string', multiple: true },
  'source-id': { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  status: { type: 'string' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
} as const;

const SINK_ONLY = [
  'id',
  'source-id',
  'since',
  'until',
  'status',
  'limit',
] as const;

const sinkOptionsSchema = z.object({
  id: z.array(z.string().regex(/^\d+$/, 'expected a number')).optional(),
  status: z.enum(['open', 'replayed', 'resolved', 'all']).optional(),
  limit: z.coerce.number().int().positive().optional(),
});

export type DlqArgs =
  | {
      readonly store: 'topic';
      readonly command: 'list' | 'replay';
      readonly topic: string;
      readonly selector: DeadLetterSelector;
      readonly dryRun: boolean;
    }
  | {
      readonly store: 'sink';
      readonly command: 'list' | 'replay';
      readonly filter: DeadLetterFilter;
      readonly json: boolean;
      readonly dryRun: boolean;
    };

function userTime(option: string, text: string | undefined): Date | undefined {
  return text === undefined ? undefined : new Date(timeOption(option, text));
}

/** Parses `list|replay <topic.dlq | sink> [options]`; throws a UsageError naming what is wrong. */
export function parseDlqArgs(argv: readonly string[]): DlqArgs {
  const { values, positionals } = parseCliArgs(argv, {
    allowPositionals: true,
    options: OPTIONS,
  });
  const [command, where, extra] = positionals;
  if (command !== 'list' && command !== 'replay')
    throw new UsageError(
      command === undefined
        ? 'give a command: list or replay'
        : `unknown command ${command}`,
    );
  if (where === undefined)
    throw new UsageError(`${command} needs <topic.dlq> or ${SINK_STORE}`);
  if (extra !== undefined) throw new UsageError(`unexpected argument ${extra}`);
  const dryRun = values['dry-run'] === true;
  if (where !== SINK_STORE) {
    const sinkOnly = SINK_ONLY.find((o) => values[o] !== undefined);
    if (sinkOnly !== undefined)
      throw new UsageError(
        `--${sinkOnly} selects the sink's dead letters: dlq ${command} ${SINK_STORE} --${sinkOnly} ...`,
      );
    return {
      store: 'topic',
      command,
      topic: where,
      dryRun,
      selector: {
        errorClass: values['error-class'],
        flow: values.flow,
        key: values.key,
        offsets: values.offset,
      },
    };
  }
  if (values.offset !== undefined)
    throw new UsageError(
      `--offset selects a topic's dead letters: dlq ${command} <topic.dlq> --offset n`,
    );
  const parsed = sinkOptionsSchema.safeParse(values);
  if (!parsed.success)
    throw new UsageError(
      parsed.error.issues
        .map((i) => `--${i.path.join('.')}: ${i.message}`)
        .join('; '),
    );
  const o = parsed.data;
  const since = userTime('since', values.since);
  const until = userTime('until', values.until);
  return {
    store: 'sink',
    command,
    json: values.json === true,
    dryRun,
    filter: {
      ...(values.flow ? { flow: values.flow } : {}),
      ...(values['error-class'] ? { errorClass: values['error-class'] } : {}),
      ...(since ? { since } : {}),
      ...(until ? { until } : {}),
      ...(values.key ? { key: values.key } : {}),
      ...(values['source-id'] ? { sourceId: values['source-id'] } : {}),
      ...(o.id ? { ids: o.id } : {}),
      ...(o.status ? { status: o.status } : {}),
      ...(o.limit ? { limit: o.limit } : {}),
    },
  };
}

/** Lists or replays dead letters; returns the exit code (2: usage). */
export function run(argv: readonly string[]): Promise<number> {
  return runCliCommand(
    argv,
    { name: 'dlq', usage: REPLAY_DLQ_USAGE },
    async (args) => {
      const parsed = parseDlqArgs(args);
      if (parsed.store === 'sink') await sinkDeadLetters(parsed);
      else await topicDeadLetters(parsed);
      return 0;
    },
  );
}

async function topicDeadLetters(
  args: Extract<DlqArgs, { store: 'topic' }>,
): Promise<void> {
  // This CLI is a script, not a service: its only setting is read here and validated.
  const env = envSchema.parse({ KAFKA_BROKERS: process.env.KAFKA_BROKERS });
  const connection = createKafkaConnection({
    brokers: env.KAFKA_BROKERS.split(','),
    clientId: 'kingbridge-replay-dlq',
    logger: createLogger('replay-dlq', 'warn'),
  });
  const replaying = args.command === 'replay' && !args.dryRun;
  const letters = replaying
    ? await replayTopicDeadLetters(connection, args.topic, args.selector)
    : await listTopicDeadLetters(connection, args.topic, args.selector);
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
    `${replaying ? 'replayed' : 'selected'} ${letters.length} dead letter(s)`,
  );
}

/** One sink dead letter as a tab-separated line: id, time, flow, document, bill, class, state, message. */
export function sinkDeadLetterLine(d: StoredDeadLetter): string {
  const state = d.resolvedAt
    ? 'resolved'
    : d.replayedAt
      ? `replayed x${d.replayCount}`
      : 'open';
  return [
    d.id,
    d.deadLetteredAt,
    d.flow ?? '-',
    d.documentKey ?? '-',
    d.billNo ?? '-',
    d.errorClass,
    state,
    `${d.fieldPath ? `${d.fieldPath}: ` : ''}${d.errorMessage}`,
  ].join('\t');
}

async function sinkDeadLetters(
  args: Extract<DlqArgs, { store: 'sink' }>,
): Promise<void> {
  const config = loadConfigOrExit(operatorConfigSchema);
  const admin = new SinkAdminService({
    databaseUrl: config.DATABASE_URL,
    kafkaBrokers: config.KAFKA_BROKERS,
    logger: createLogger('sink-kingdee-cli', config.LOG_LEVEL),
    applicationName: 'sink-kingdee-cli',
  });
  try {
    if (args.command === 'list') {
      const rows = await admin.listDeadLetters(args.filter);
      for (const d of rows)
        process.stdout.write(
          `${args.json ? JSON.stringify(d) : sinkDeadLetterLine(d)}\n`,
        );
      process.stderr.write(`${rows.length} dead letter(s)\n`);
      return;
    }
    const replayed = await admin.replay(args.filter, args.dryRun);
    for (const d of replayed)
      process.stdout.write(`${sinkDeadLetterLine(d)}\n`);
    process.stderr.write(
      `${args.dryRun ? 'would replay' : 'replayed'} ${replayed.length} dead letter(s)\n`,
    );
  } finally {
    await admin.close();
  }
}

runIfStartedAs('scripts/replay-dlq', 'replay-dlq', run);
