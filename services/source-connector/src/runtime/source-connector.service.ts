import { allTopics, rawTopic } from '@kingbridge/source-registry';
import {
  createKafkaConnection,
  createProducer,
  ensureTopics,
  type KafkaProducer,
} from '@kingbridge/kafka';
import { BackgroundService, ServiceContext } from '@kingbridge/kafka-nest';
import { connectWithRetry, createDataSource } from '@kingbridge/persistence';
import {
  createPgStreamLock,
  type SourceStream,
  type StreamLock,
  StreamScheduler,
} from '@kingbridge/source-runtime';
import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { SCHEMA } from '../database/migrations';
import {
  SOURCE_CONNECTOR_CONFIG,
  type SourceConnectorConfig,
} from '../source-connector.config';
import {
  buildSourceRuntime,
  kafkaRawRecordPublisher,
} from './source-runtime.factory';

export const SOURCE_LOGGER = Symbol('SOURCE_LOGGER');
export const SOURCE_STREAMS = Symbol('SOURCE_STREAMS');

/**
 * Starts the connector after the HTTP server is up: Postgres, Kafka (topics
 * created), then one loop per stream. Readiness reports each dependency.
 */
@Injectable()
export class SourceConnectorService extends BackgroundService {
  private dataSource: DataSource | undefined;
  private producer: KafkaProducer | undefined;
  private scheduler: StreamScheduler | undefined;
  private lock: StreamLock | undefined;

  constructor(
    @Inject(SOURCE_CONNECTOR_CONFIG)
    private readonly config: SourceConnectorConfig,
    @Inject(SOURCE_STREAMS) private readonly streams: readonly SourceStream[],
    @Inject(ServiceContext) private readonly context: ServiceContext,
  ) {
    super(context.logger, 'exit', 'connector failed to start');
  }

  protected prepare(): 'start' {
    this.context.readiness.register({
      name: 'postgres',
      check: async () => {
        await this.dataSource?.query('SELECT 1');
        return this.dataSource?.isInitialized === true;
      },
    });
    this.context.readiness.register({
      name: 'kafka',
      check: () => this.producer?.isReady() === true,
    });
    this.context.readiness.register({
      name: 'streams',
      check: () => this.scheduler !== undefined,
    });
    return 'start';
  }

  protected async start(signal: AbortSignal): Promise<void> {
    const { config, logger } = this;
    this.dataSource = createDataSource({
      url: config.DATABASE_URL,
      schema: SCHEMA,
      applicationName: `source-connector-${config.CONNECTOR_ID}`,
      logger,
      poolSize: 4,
    });
    await connectWithRetry(this.dataSource, { logger, signal });
    const connection = createKafkaConnection({
      brokers: config.KAFKA_BROKERS,
      clientId:
        config.KAFKA_CLIENT_ID ?? `source-connector-${config.CONNECTOR_ID}`,
      logger,
    });
    await connection.waitUntilReachable(signal);
    if (config.CREATE_TOPICS) {
      const prefix = config.RAW_TOPIC_PREFIX;
      const mine = new Set(
        this.streams.map((s) => rawTopic(s.platform, s.entity)),
      );
      const topics = prefix
        ? allTopics()
            .filter((t) => mine.has(t.name))
            .map((t) => ({ ...t, name: `${prefix}${t.name}` }))
        : allTopics();
      await ensureTopics(connection, topics);
    }
    const producer = createProducer(connection);
    await producer.connect(signal);
    this.producer = producer;
    const { runners } = buildSourceRuntime({
      config,
      streams: this.streams,
      db: this.dataSource,
      publisher: kafkaRawRecordPublisher(producer),
      registry: this.context.registry,
      logger,
    });
    if (signal.aborted) return;
    this.lock = await createPgStreamLock({
      url: config.DATABASE_URL,
      applicationName: `source-connector-${config.CONNECTOR_ID}`,
      logger,
      onLost: (err) => {
        // The advisory locks went with the connection: another process may poll these streams now.
        logger.fatal(
          { reason: err.message },
          'stream lock connection lost; stopping',
        );
        process.exitCode = 1;
        process.kill(process.pid, 'SIGTERM');
      },
    });
    this.scheduler = new StreamScheduler(
      runners,
      Math.min(
        config.POLL_INTERVAL_MS,
        config.MAX_POLL_INTERVAL_MS ?? Number.POSITIVE_INFINITY,
      ),
      logger,
      undefined,
      this.lock,
    );
    this.scheduler.start();
    logger.info(
      {
        connector: config.CONNECTOR_ID,
        streams: this.streams.map((s) => s.id),
      },
      'connector started',
    );
  }

  protected async stop(started: Promise<void>): Promise<void> {
    await started;
    await this.scheduler?.stop();
    await this.lock?.close();
    await this.producer?.disconnect();
    if (this.dataSource?.isInitialized) await this.dataSource.destroy();
    this.logger.info(
      { connector: this.config.CONNECTOR_ID },
      'connector stopped',
    );
  }
}
