import { randomUUID } from 'node:crypto';
import {
  DATA_TOPIC_PARTITIONS,
  dlqTopic,
  outboundDocumentSchema,
  outboundTopic,
  STATUS_TOPIC,
  STATUS_TOPIC_PARTITIONS,
  type KingdeeTarget,
} from '@kingbridge/contracts';
import {
  createBatchConsumer,
  createDeadLetterPublisher,
  createKafkaConnection,
  createProducer,
  ensureTopics,
  type BatchConsumer,
  type KafkaProducer,
} from '@kingbridge/kafka';
import type { Logger } from '@kingbridge/observability';
import { connectWithRetry, createDataSource } from '@kingbridge/persistence';
import type { KingdeeWriter } from '@kingbridge/sink-kingdee-client';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { SCHEMA } from '../database/migrations';
import { DeadLetterRepository } from '../dead-letters/dead-letter.repository';
import { SinkDeadLetterPublisher } from '../dead-letters/sink-dead-letter.publisher';
import { LEDGER_STATES, LedgerRepository } from '../ledger/ledger.repository';
import { SINK_SERVICE, type SinkKingdeeConfig } from '../sink-kingdee.config';
import { WriteScheduler } from '../writer/write-scheduler';
import { createKingdeeWriters } from './kingdee-writers.factory';
import { kingdeeBudgetOf, withKingdeeBudget } from '../budget/kingdee-budget';
import { SinkPipeline } from './sink-pipeline';
import { sinkMetrics } from './sink.metrics';
import { StatusPublisher } from './status.publisher';

export interface SinkRuntimeDeps {
  readonly config: SinkKingdeeConfig;
  readonly logger: Logger;
  readonly registry: Registry;
  /** Overrides the clients built from config (tests, benchmarks). */
  readonly writers?: ReadonlyMap<KingdeeTarget, KingdeeWriter>;
}

/** Topic names the sink uses (TOPIC_PREFIX applied). */
export function sinkTopics(
  config: Pick<SinkKingdeeConfig, 'TOPIC_PREFIX' | 'SINK_TARGETS'>,
): { outbound: Map<KingdeeTarget, string>; status: string } {
  const prefix = config.TOPIC_PREFIX;
  return {
    outbound: new Map(
      config.SINK_TARGETS.map((t) => [t, `${prefix}${outboundTopic(t)}`]),
    ),
    status: `${prefix}${STATUS_TOPIC}`,
  };
}

/**
 * The sink without Nest: Postgres (ledger, dead letters), Kafka (topics,
 * producer, batch consumer on the outbound topics), Kingdee clients, write
 * scheduler, pipeline, gauges. `start()` resolves once consuming.
 */
export class SinkRuntime {
  private readonly abort = new AbortController();
  private dataSource: DataSource | undefined;
  private producer: KafkaProducer | undefined;
  private consumer: BatchConsumer | undefined;
  private gaugeTimer: NodeJS.Timeout | undefined;
  private notReady = 'starting';

  constructor(private readonly deps: SinkRuntimeDeps) {}

  async start(): Promise<void> {
    const { config, logger, registry } = this.deps;
    const signal = this.abort.signal;
    const metrics = sinkMetrics(registry);
    this.notReady = 'postgres not connected';
    this.dataSource = createDataSource({
      url: config.DATABASE_URL,
      schema: SCHEMA,
      applicationName: SINK_SERVICE,
      logger,
      poolSize: 6,
    });
    await connectWithRetry(this.dataSource, { logger, signal });
    const connection = createKafkaConnection({
      brokers: config.KAFKA_BROKERS,
      clientId: config.KAFKA_CLIENT_ID ?? SINK_SERVICE,
      logger,
    });
    this.notReady = `kafka not reachable at ${config.KAFKA_BROKERS.join(',')}`;
    await connection.waitUntilReachable(signal);
    const topics = sinkTopics(config);
    if (config.CREATE_TOPICS) {
      await ensureTopics(connection, [
        ...[...topics.outbound.values()].flatMap((name) => [
          { name, partitions: DATA_TOPIC_PARTITIONS },
          { name: dlqTopic(name), partitions: 1 },
        ]),
        { name: topics.status, partitions: STATUS_TOPIC_PARTITIONS },
      ]);
    }
    const producer = createProducer(connection);
    await producer.connect(signal);
    this.producer = producer;

    const ledger = new LedgerRepository(this.dataSource);
    const deadLetterRepository = new DeadLetterRepository(this.dataSource);
    const status = new StatusPublisher(producer, topics.status);
    // Every Kingdee call through the tenant's budget shared by all sink pods (src/budget).
    const writers = withKingdeeBudget(
      this.deps.writers ?? createKingdeeWriters(config),
      kingdeeBudgetOf(config, this.dataSource, logger),
    );
    const scheduler = new WriteScheduler({
      writers,
      concurrency: {
        k3cloud: config.K3CLOUD_CONCURRENCY,
        jdy: config.JDY_CONCURRENCY,
        k3wise: config.K3WISE_CONCURRENCY,
      },
      lingerMs: config.SINK_LINGER_MS,
      lingerIdleMs: config.SINK_LINGER_IDLE_MS,
      hooks: {
        onInFlight: (target, n) => metrics.inFlight.set({ target }, n),
        onRequest: ({ group, rows, outcomes, seconds }) => {
          const labels = { target: group.target, form: group.formId };
          const failed = outcomes.filter((o) => o.kind === 'failed');
          const first = failed[0];
          const outcome =
            failed.length === 0
              ? 'ok'
              : failed.length < outcomes.length
                ? 'partial'
                : first?.kind === 'failed'
                  ? first.error.errorClass
                  : 'unknown';
          metrics.requests.inc({ ...labels, outcome });
          metrics.requestDuration.observe(labels, seconds);
          metrics.batchRows.observe(labels, rows);
        },
      },
    });
    const pipeline = new SinkPipeline({
      ledger,
      scheduler,
      writers,
      status,
      metrics,
      logger,
      fence: {
        owner: `${config.KAFKA_CLIENT_ID ?? SINK_SERVICE}:${randomUUID()}`,
        leaseMs: config.KINGDEE_TIMEOUT_MS + config.SINK_IN_FLIGHT_GRACE_MS,
        graceMs: config.SINK_IN_FLIGHT_GRACE_MS,
      },
    });
    const deadLetters = new SinkDeadLetterPublisher(
      createDeadLetterPublisher(producer, { service: SINK_SERVICE }),
      deadLetterRepository,
      ledger,
      status,
      metrics,
    );
    if (signal.aborted) return;
    this.consumer = createBatchConsumer(connection, {
      groupId: config.SINK_GROUP_ID,
      topics: [...topics.outbound.values()],
      schema: outboundDocumentSchema,
      handler: (messages, ctx) => pipeline.handle(messages, ctx.signal),
      service: SINK_SERVICE,
      retry: {
        initialMs: config.SINK_RETRY_INITIAL_MS,
        multiplier: 2,
        factor: 0.2,
        maxMs: config.SINK_RETRY_MAX_MS,
        attempts: config.SINK_RETRY_ATTEMPTS,
      },
      ...(config.SINK_RETRY_BUDGET_MS > 0
        ? { retryBudgetMs: config.SINK_RETRY_BUDGET_MS }
        : {}),
      releaseRetryingAfterMs: config.SINK_RELEASE_RETRYING_AFTER_MS,
      partitionsConsumedConcurrently: config.SINK_PARTITIONS_CONCURRENTLY,
      sessionTimeoutMs: config.SINK_SESSION_TIMEOUT_MS,
      rebalanceTimeoutMs: config.SINK_REBALANCE_TIMEOUT_MS,
      registry,
      deadLetters,
    });
    const refresh = async (): Promise<void> => {
      const [states, open] = await Promise.all([
        ledger.countByState(),
        deadLetterRepository.countOpenByFlow(),
      ]);
      for (const state of LEDGER_STATES)
        metrics.ledger.set({ state }, states.get(state) ?? 0);
      metrics.deadLetters.reset();
      for (const [flow, n] of open) metrics.deadLetters.set({ flow }, n);
    };
    this.gaugeTimer = setInterval(() => {
      refresh().catch((err: unknown) =>
        logger.warn(
          { err: err instanceof Error ? err.message : String(err) },
          'cannot refresh sink gauges',
        ),
      );
    }, config.SINK_GAUGE_REFRESH_MS);
    this.gaugeTimer.unref();
    this.notReady = 'joining consumer group';
    await this.consumer.start();
    logger.info(
      { topics: [...topics.outbound.values()], group: config.SINK_GROUP_ID },
      'sink consuming outbound topics',
    );
  }

  /** Readiness: the consumer has joined and Postgres is connected. */
  health(): { ready: boolean; reason?: string } {
    if (!this.dataSource?.isInitialized)
      return { ready: false, reason: this.notReady };
    const consumer = this.consumer?.health();
    if (!consumer) return { ready: false, reason: this.notReady };
    return consumer.ready
      ? { ready: true }
      : { ready: false, reason: consumer.reason ?? 'consumer not ready' };
  }

  async stop(): Promise<void> {
    this.abort.abort();
    if (this.gaugeTimer) clearInterval(this.gaugeTimer);
    await this.consumer?.stop();
    await this.producer?.disconnect().catch(() => undefined);
    if (this.dataSource?.isInitialized) await this.dataSource.destroy();
  }
}
