import 'reflect-metadata';
import {
  ConfigError,
  UsageError,
  loadConfig,
  parseCliArgs,
  runCliCommand,
  runIfStartedAs,
} from '@kingbridge/config';
import {
  allTopics,
  rawTopic,
  SOURCE_REGISTRY,
} from '@kingbridge/source-registry';
import {
  createKafkaConnection,
  createProducer,
  ensureTopics,
} from '@kingbridge/kafka';
import { createLogger, createMetricsRegistry } from '@kingbridge/observability';
import { connectWithRetry, createDataSource } from '@kingbridge/persistence';
import {
  formatBeijingTime,
  type BackfillProgress,
} from '@kingbridge/source-runtime';
import {
  SCHEMA,
  buildSourceRuntime,
  kafkaRawRecordPublisher,
  sourceConnectorConfigSchema,
  loadStreams,
} from '@kingbridge/source-connector';
import { timeOption } from './operator-options';

export const BACKFILL_USAGE = `usage: npx tsx scripts/backfill.ts --connector <${SOURCE_REGISTRY.platforms.join('|')}> --stream <id> --from <T> --to <T> [--force]

Backfills [from, to] for one stream into its raw topic: any range, e.g. before the stream's first sync
(INITIAL_SYNC_FROM). Times: ISO-8601 with offset, 'yyyy-MM-dd[ HH:mm[:ss]]' in Beijing time, or now / now-7d.
Progress is kept in
Postgres (source_connector.backfill_job): Ctrl-C stops after the current
page; running the same command again resumes after the last finished window.
--force republishes records whose content hash was already published.
Config comes from the environment like the service (credentials, DATABASE_URL, KAFKA_BROKERS, PLANS_DIR/SOURCE_STREAMS).`;

function fail(message: string): never {
  throw new UsageError(message);
}

/** Renders windows done/total, records, rate and ETA; a bar on a TTY, plain lines otherwise. */
export class ProgressReporter {
  private readonly started = Date.now();
  private startRecords: number | undefined;
  private startWindows: number | undefined;
  private lastPlain = 0;

  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {}

  update(p: BackfillProgress, final = false): void {
    this.startRecords ??= p.records;
    this.startWindows ??= p.windowsDone;
    const seconds = Math.max(0.001, (Date.now() - this.started) / 1000);
    const rate = (p.records - this.startRecords) / seconds;
    const windowsThisRun = p.windowsDone - this.startWindows;
    const etaSeconds =
      windowsThisRun > 0
        ? ((p.windowsTotal - p.windowsDone) * seconds) / windowsThisRun
        : undefined;
    const text = `${p.windowsDone}/${p.windowsTotal} windows | ${p.records} records | ${rate.toFixed(1)} rec/s | ETA ${formatEta(etaSeconds)}`;
    if (this.out.isTTY) {
      const width = 30;
      const filled =
        p.windowsTotal === 0
          ? width
          : Math.round((p.windowsDone / p.windowsTotal) * width);
      this.out.write(
        `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${text}\x1b[K${final ? '\n' : ''}`,
      );
    } else if (
      final ||
      Date.now() - this.lastPlain >= 2000 ||
      p.windowsDone === p.windowsTotal
    ) {
      this.lastPlain = Date.now();
      this.out.write(`backfill: ${text}\n`);
    }
  }
}

function formatEta(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '--:--:--';
  const s = Math.round(seconds);
  return [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');
}

/** Backfills one stream's range; returns the exit code (0 done, 1 stopped, 2 usage, 130 interrupted). */
export function run(argv: readonly string[]): Promise<number> {
  return runCliCommand(
    argv,
    { name: 'backfill', usage: BACKFILL_USAGE },
    backfill,
  );
}

async function backfill(argv: readonly string[]): Promise<number> {
  const args = parseCliArgs(argv, {
    options: {
      connector: { type: 'string' },
      stream: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      force: { type: 'boolean', default: false },
    },
  }).values;
  if (!args.connector || !args.stream || !args.from || !args.to)
    fail('--connector, --stream, --from and --to are required');
  const from = new Date(timeOption('from', args.from));
  const to = new Date(timeOption('to', args.to));
  if (from >= to) fail('--from must be before --to');
  process.stderr.write(
    `backfill: ${formatBeijingTime(from.getTime())} .. ${formatBeijingTime(to.getTime())} Beijing time (${from.toISOString()} .. ${to.toISOString()})\n`,
  );

  let config;
  try {
    config = loadConfig(sourceConnectorConfigSchema, {
      ...process.env,
      CONNECTOR_ID: args.connector,
    });
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  const logger = createLogger(
    `backfill-${config.CONNECTOR_ID}`,
    process.env['LOG_LEVEL'] ?? 'warn',
    process.stderr,
  );
  const streams = await loadStreams(config);
  const stream = streams.find((s) => s.id === args.stream);
  if (!stream)
    fail(
      `--stream: no ${config.CONNECTOR_ID} stream "${args.stream}" (known: ${streams.map((s) => s.id).join(', ') || 'none'})`,
    );

  const controller = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    process.stderr.write(
      '\ninterrupted: finishing the current page; run the same command to resume (Ctrl-C again to quit now)\n',
    );
    controller.abort(new Error('interrupted'));
  });

  const dataSource = createDataSource({
    url: config.DATABASE_URL,
    schema: SCHEMA,
    applicationName: 'backfill',
    logger,
    poolSize: 2,
  });
  await connectWithRetry(dataSource, {
    logger,
    signal: controller.signal,
    policy: {
      initialMs: 500,
      multiplier: 2,
      factor: 0.2,
      maxMs: 5000,
      attempts: 5,
    },
  });
  const connection = createKafkaConnection({
    brokers: config.KAFKA_BROKERS,
    clientId: `backfill-${config.CONNECTOR_ID}`,
    logger,
  });
  await connection.waitUntilReachable(controller.signal);
  const topic = rawTopic(stream.platform, stream.entity);
  const spec = allTopics().find((t) => t.name === topic);
  if (config.CREATE_TOPICS && spec)
    await ensureTopics(connection, [
      { ...spec, name: `${config.RAW_TOPIC_PREFIX}${topic}` },
    ]);
  const producer = createProducer(connection);
  await producer.connect(controller.signal);
  const { runners } = buildSourceRuntime({
    config,
    streams: [stream],
    db: dataSource,
    publisher: kafkaRawRecordPublisher(producer),
    registry: createMetricsRegistry('backfill'),
    logger,
  });
  const runner = runners[0]!;
  let code = 0;
  const progress = new ProgressReporter();
  let last: BackfillProgress | undefined;
  try {
    const outcome = await runner.runBackfill(
      { from, to },
      {
        force: args.force,
        onProgress: (p) => {
          last = p;
          progress.update(p);
        },
      },
      controller.signal,
    );
    if (last) progress.update(last, true);
    switch (outcome.status) {
      case 'ok':
        process.stderr.write(`backfill done (job ${outcome.jobId})\n`);
        break;
      case 'aborted':
        process.stderr.write(
          `backfill interrupted; resume with the same command (job ${outcome.jobId})\n`,
        );
        code = 130;
        break;
      case 'failed':
        process.stderr.write(
          `backfill stopped: window ${outcome.window.from.toISOString()}..${outcome.window.to.toISOString()} failed (${outcome.errorClass}); run again to resume\n`,
        );
        code = 1;
        break;
      case 'stopped':
        process.stderr.write(`backfill stopped: ${outcome.reason}\n`);
        code = 1;
        break;
    }
  } finally {
    await producer.disconnect();
    await dataSource.destroy();
  }
  return code;
}

runIfStartedAs('scripts/backfill', 'backfill', run);
