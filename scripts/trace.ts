/**
 * Record trace: where did one source record go?
 *   tsx scripts/trace.ts --source-id <id> [--platform <p>] [--json] [--timeout-ms 8000] [--no-kafka] [--no-db]
 * Reads (never writes): the connector's record state (`source_connector.record_state`), the raw,
 * outbound, status and dead-letter topics (scanned from the beginning with throw-away consumer
 * groups for up to --timeout-ms each), the sink ledger and the sink's dead-letter table. Says which
 * of these it could not read. Env: KAFKA_BROKERS (default 127.0.0.1:19092), DATABASE_URL.
 */
import {
  DEFAULT_DATABASE_URL,
  UsageError,
  parseCliArgs,
  runCliCommand,
  runIfStartedAs,
} from '@kingbridge/config';
import {
  KINGDEE_TARGETS,
  STATUS_TOPIC,
  dlqTopic,
  outboundTopic,
} from '@kingbridge/contracts';
import { rawTopic, SOURCE_STREAMS } from '@kingbridge/source-registry';
import { createKafkaConnection, readTopic } from '@kingbridge/kafka';
import { createLogger } from '@kingbridge/observability';
import { createDataSource } from '@kingbridge/persistence';
import {
  formatRecordTrace,
  traceInMessages,
  type RecordTrace,
  type TraceStep,
  type TracedMessage,
} from '@kingbridge/reconcile';
import { z } from 'zod';

const envSchema = z.object({
  KAFKA_BROKERS: z.string().min(1).default('127.0.0.1:19092'),
  DATABASE_URL: z.string().url().default(DEFAULT_DATABASE_URL),
});

async function readKafka(
  brokers: string,
  platform: string | undefined,
  timeoutMs: number,
  notes: string[],
): Promise<TracedMessage[]> {
  const connection = createKafkaConnection({
    brokers: brokers.split(','),
    clientId: 'kingbridge-trace',
    logger: createLogger('trace', 'error'),
  });
  const raw = SOURCE_STREAMS.filter(
    (s) => platform === undefined || s.platform === platform,
  ).map((s) => rawTopic(s.platform, s.entity));
  const data = [
    ...raw,
    ...KINGDEE_TARGETS.map((t) => outboundTopic(t)),
    STATUS_TOPIC,
  ];
  const topics = [...data, ...data.map(dlqTopic)];
  const out: TracedMessage[] = [];
  await Promise.all(
    topics.map(async (topic) => {
      try {
        // No count known up front: read until the topic goes quiet for the timeout.
        const messages = await readTopic(connection, topic, {
          count: Number.MAX_SAFE_INTEGER,
          timeoutMs,
        });
        for (const m of messages)
          out.push({
            topic,
            partition: m.partition,
            offset: m.offset,
            key: m.key?.toString() ?? null,
            value: m.value?.toString() ?? null,
          });
      } catch (err) {
        notes.push(`could not read topic ${topic}: ${(err as Error).message}`);
      }
    }),
  );
  notes.push(
    `scanned ${topics.length} topics, ${out.length} messages (reading stops after ${timeoutMs} ms per topic; raise --timeout-ms for big topics)`,
  );
  return out;
}

async function readDatabase(
  url: string,
  sourceId: string,
  documentKeys: ReadonlySet<string>,
  notes: string[],
): Promise<TraceStep[]> {
  const ds = createDataSource({ url, applicationName: 'kingbridge-trace' });
  try {
    await ds.initialize();
  } catch (err) {
    notes.push(`could not connect to Postgres: ${(err as Error).message}`);
    return [];
  }
  const steps: TraceStep[] = [];
  const query = async (what: string, run: () => Promise<void>) => {
    try {
      await run();
    } catch (err) {
      notes.push(`could not read ${what}: ${(err as Error).message}`);
    }
  };
  try {
    await query('source_connector.record_state', async () => {
      const rows = (await ds.query(
        'SELECT stream_id, content_hash, modified_at, published_at FROM source_connector.record_state WHERE source_id = $1',
        [sourceId],
      )) as Array<{
        stream_id: string;
        content_hash: string;
        modified_at: Date;
        published_at: Date;
      }>;
      for (const r of rows)
        steps.push({
          step: 'connector-state',
          where: `source_connector.record_state ${r.stream_id}`,
          at: r.published_at.toISOString(),
          detail: {
            lastPublishedVersionModifiedAt: r.modified_at.toISOString(),
            contentHash: r.content_hash,
          },
        });
    });
    await query('sink_kingdee.ledger', async () => {
      // The ledger has no source ids: match the document keys found in Kafka, or the usual
      // one-to-one key shape `<flow>:<sourceId>`.
      const rows = (await ds.query(
        `SELECT document_key, flow, form_id, bill_no, state, kingdee_id, kingdee_number, attempts, last_error_class, last_error, last_attempt_at
           FROM sink_kingdee.ledger WHERE document_key = ANY($1) OR document_key LIKE '%:' || $2`,
        [[...documentKeys], sourceId],
      )) as Array<
        Record<string, unknown> & {
          document_key: string;
          last_attempt_at: Date | null;
        }
      >;
      for (const r of rows) {
        const { last_attempt_at, ...detail } = r;
        steps.push({
          step: 'ledger',
          where: 'sink_kingdee.ledger',
          at: last_attempt_at?.toISOString(),
          detail,
        });
      }
    });
    await query('sink_kingdee.dead_letter', async () => {
      const rows = (await ds.query(
        `SELECT id, topic, partition, message_offset, document_key, flow, bill_no, error_class, error_message, field_path, attempts, dead_lettered_at, replayed_at, resolved_at
           FROM sink_kingdee.dead_letter WHERE source_ids ? $1 OR message_key = $1 OR document_key = ANY($2)`,
        [sourceId, [...documentKeys]],
      )) as Array<Record<string, unknown> & { dead_lettered_at: Date }>;
      for (const r of rows) {
        const { dead_lettered_at, ...detail } = r;
        steps.push({
          step: 'dead-letter',
          where: 'sink_kingdee.dead_letter',
          at: dead_lettered_at.toISOString(),
          detail,
        });
      }
    });
  } finally {
    await ds.destroy();
  }
  return steps;
}

export const TRACE_USAGE =
  'usage: tsx scripts/trace.ts --source-id <id> [--platform <p>] [--json] [--timeout-ms 8000] [--no-kafka] [--no-db]';

/** Traces one source record; returns the exit code (0 found, 1 nothing found, 2 usage). */
export function run(argv: readonly string[]): Promise<number> {
  return runCliCommand(argv, { name: 'trace', usage: TRACE_USAGE }, trace);
}

async function trace(argv: readonly string[]): Promise<number> {
  const { values } = parseCliArgs(argv, {
    options: {
      'source-id': { type: 'string' },
      platform: { type: 'string' },
      json: { type: 'boolean', default: false },
      'timeout-ms': { type: 'string', default: '8000' },
      'no-kafka': { type: 'boolean', default: false },
      'no-db': { type: 'boolean', default: false },
    },
  });
  const sourceId = values['source-id'];
  const timeoutMs = Number(values['timeout-ms']);
  if (!sourceId) throw new UsageError('--source-id is required');
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new UsageError(
      `--timeout-ms: not a positive number: ${values['timeout-ms']}`,
    );
  // This CLI is a script, not a service: its settings are read here and validated.
  const env = envSchema.parse({
    KAFKA_BROKERS: process.env.KAFKA_BROKERS,
    DATABASE_URL: process.env.DATABASE_URL,
  });
  const notes: string[] = [];
  const messages = values['no-kafka']
    ? []
    : await readKafka(env.KAFKA_BROKERS, values.platform, timeoutMs, notes);
  if (values['no-kafka']) notes.push('Kafka not read (--no-kafka)');
  const steps = traceInMessages(sourceId, messages, values.platform);
  const documentKeys = new Set(
    steps
      .map((s) => s.detail.documentKey)
      .filter((k): k is string => typeof k === 'string'),
  );
  if (values['no-db']) notes.push('Postgres not read (--no-db)');
  else
    steps.push(
      ...(await readDatabase(env.DATABASE_URL, sourceId, documentKeys, notes)),
    );
  if (!steps.some((s) => s.step === 'fetched'))
    notes.push(
      'no raw record with this id was found on the raw topics (not fetched yet, or outside retention)',
    );
  if (!steps.some((s) => s.step === 'status' || s.step === 'ledger'))
    notes.push(
      'no write outcome found (not written yet, still in an open merge window, or filtered by the plan)',
    );
  const trace: RecordTrace = { sourceId, steps, notes };
  process.stdout.write(
    values.json
      ? `${JSON.stringify(trace, null, 2)}\n`
      : formatRecordTrace(trace),
  );
  return steps.length > 0 ? 0 : 1;
}

runIfStartedAs('scripts/trace', 'trace', run);
