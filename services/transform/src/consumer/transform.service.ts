import { SOURCE_REGISTRY } from '@kingbridge/source-registry';
import { createBatchConsumer, type BatchConsumer } from '@kingbridge/kafka';
import {
  BackgroundService,
  KAFKA_CLIENTS,
  ServiceContext,
  type KafkaClients,
} from '@kingbridge/kafka-nest';
import { DatabaseConnection } from '@kingbridge/persistence';
import { DEFAULT_BACKOFF } from '@kingbridge/pipeline-core';
import { Inject, Injectable } from '@nestjs/common';
import { publishFlowSettings } from '../flows/flow-settings.repository';
import type { Flow } from '../flows/load-flows';
import { PostgresLookupProvider } from '../lookups/postgres-lookup.provider';
import { CachingMergeStateRepository } from '../merge/caching-merge-state.repository';
import { WindowEmitter } from '../merge/window-emitter';
import { TransformMetrics } from '../metrics/transform.metrics';
import {
  TRANSFORM_CONFIG,
  TRANSFORM_SERVICE,
  type TransformConfig,
} from '../transform.config';
import { TRANSFORM_FLOWS } from '../transform.tokens';
import { RawBatchProcessor } from './raw-batch.processor';

/**
 * Runs the transform: one consumer group over every raw topic the plans
 * read (RawBatchProcessor) and a timer emitting due merge windows
 * (WindowEmitter). Both start once Postgres is connected; boot never blocks,
 * /health/ready says what is missing.
 */
@Injectable()
export class TransformService extends BackgroundService {
  private consumer: BatchConsumer | undefined;
  private topics: readonly string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private emitter: WindowEmitter | undefined;

  constructor(
    @Inject(TRANSFORM_CONFIG) private readonly config: TransformConfig,
    @Inject(TRANSFORM_FLOWS) private readonly flows: readonly Flow[],
    @Inject(PostgresLookupProvider)
    private readonly lookups: PostgresLookupProvider,
    @Inject(DatabaseConnection) private readonly database: DatabaseConnection,
    @Inject(KAFKA_CLIENTS) private readonly kafka: KafkaClients,
    @Inject(ServiceContext) private readonly context: ServiceContext,
  ) {
    super(context.logger, 'stay-up', 'transform start-up failed');
  }

  protected prepare(): 'start' | 'idle' {
    this.context.readiness.register({
      name: 'kafka',
      check: () => this.kafkaHealth(),
    });
    const metrics = new TransformMetrics(this.context.registry);
    metrics.init(
      this.flows.map((f) => f.id),
      this.flows.filter((f) => f.merge).map((f) => f.id),
    );
    const repository = new CachingMergeStateRepository(
      this.database.dataSource,
      this.config.MERGE_STATE_CACHE_RECORDS,
    );
    const deps = {
      flows: this.flows,
      lookups: this.lookups,
      repository,
      producer: this.kafka.producer,
      deadLetters: this.kafka.deadLetters,
      metrics,
      logger: this.logger,
    };
    const processor = new RawBatchProcessor(deps);
    this.emitter = new WindowEmitter({
      ...deps,
      limit: this.config.WINDOW_EMIT_LIMIT,
      // Downtime is not idleness: windows left open by a stopped transform get an idle timeout from now.
      idleSinceMs: Date.now(),
    });
    const topics = processor.topics();
    if (topics.length === 0) {
      this.logger.warn(
        { plansDir: this.config.PLANS_DIR },
        'no enabled plan: nothing to consume',
      );
      return 'idle';
    }
    this.topics = topics;
    this.consumer = createBatchConsumer(this.kafka.connection, {
      groupId: this.config.TRANSFORM_GROUP_ID,
      topics,
      schema: SOURCE_REGISTRY.rawTopicMessageSchema,
      handler: (messages) => processor.handle(messages),
      service: TRANSFORM_SERVICE,
      deadLetters: this.kafka.deadLetters,
      registry: this.context.registry,
      fromBeginning: this.config.TRANSFORM_FROM_BEGINNING,
      sessionTimeoutMs: this.config.KAFKA_SESSION_TIMEOUT_MS,
      partitionsConsumedConcurrently:
        this.config.TRANSFORM_PARTITIONS_CONCURRENCY,
      maxBytesPerPartition: this.config.TRANSFORM_FETCH_PARTITION_BYTES,
      maxBytes: this.config.TRANSFORM_FETCH_MAX_BYTES,
      retry: {
        ...DEFAULT_BACKOFF,
        maxMs: 10_000,
        attempts: this.config.TRANSFORM_RETRY_ATTEMPTS,
      },
      ...(this.config.TRANSFORM_RETRY_BUDGET_MS > 0
        ? { retryBudgetMs: this.config.TRANSFORM_RETRY_BUDGET_MS }
        : {}),
      releaseRetryingAfterMs: this.config.TRANSFORM_RELEASE_RETRYING_AFTER_MS,
    });
    return 'start';
  }

  protected async stop(started: Promise<void>): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await started;
    await this.consumer?.stop();
    await this.ticking;
  }

  protected async start(signal: AbortSignal): Promise<void> {
    const { consumer, topics } = this;
    if (!consumer) return;
    await this.database.ready();
    if (signal.aborted) return;
    // What reconciliation reads as the flows' settings (merge windows after overrides).
    await publishFlowSettings(this.database.dataSource, this.flows);
    await consumer.start();
    this.logger.info(
      {
        group: this.config.TRANSFORM_GROUP_ID,
        topics,
        flows: this.flows.map((f) => f.id),
      },
      'consuming raw topics',
    );
    if (this.flows.some((f) => f.merge)) this.schedule();
  }

  /** Runs the window tick every WINDOW_TICK_MS, never overlapping itself. */
  private schedule(): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.ticking = (this.emitter?.tick() ?? Promise.resolve())
        .catch((err: unknown) =>
          this.logger.error(
            { err: (err as Error).message },
            'window tick failed',
          ),
        )
        .finally(() => this.schedule());
    }, this.config.WINDOW_TICK_MS);
    this.timer.unref();
  }

  private kafkaHealth(): { ready: boolean; reason?: string } {
    const base = this.kafka.lifecycle.health();
    if (!base.ready) return base;
    if (!this.consumer) return { ready: true };
    return this.consumer.health();
  }
}
