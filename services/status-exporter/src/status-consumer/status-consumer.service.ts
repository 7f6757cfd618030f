import {
  STATUS_TOPIC_PARTITIONS,
  statusEventSchema,
  type StatusEvent,
} from '@kingbridge/contracts';
import {
  createBatchConsumer,
  createKafkaConnection,
  ensureTopicsWhenReachable,
  type BatchConsumer,
  type ConsumedMessage,
  type KafkaConnection,
  type MessageOutcome,
} from '@kingbridge/kafka';
import { BackgroundService, ServiceContext } from '@kingbridge/kafka-nest';
import { Inject, Injectable } from '@nestjs/common';
import {
  STATUS_EXPORTER_CONFIG,
  STATUS_EXPORTER_SERVICE,
  type StatusExporterConfig,
} from '../status-exporter.config';
import { StatusMetrics } from '../status-metrics/status-metrics.service';

const DONE: MessageOutcome = { kind: 'done' };

/**
 * Consumes the write-status topic with the batch runtime and feeds every
 * event into StatusMetrics. Updating a counter cannot fail, so each message
 * is `done` once recorded; values failing `statusEventSchema` never reach the
 * handler (the runtime dead-letters them to `<topic>.dlq`).
 * Start-up never blocks boot: the topic is ensured and the group joined in
 * the background while /health/ready says why it is not ready yet.
 */
@Injectable()
export class StatusConsumerService extends BackgroundService {
  private connection: KafkaConnection | undefined;
  private consumer: BatchConsumer | undefined;

  constructor(
    @Inject(STATUS_EXPORTER_CONFIG)
    private readonly config: StatusExporterConfig,
    @Inject(StatusMetrics) private readonly metrics: StatusMetrics,
    @Inject(ServiceContext) private readonly context: ServiceContext,
  ) {
    super(context.logger, 'stay-up', 'status consumer start-up failed');
  }

  protected prepare(): 'start' {
    this.context.readiness.register({
      name: 'kafka',
      check: () => this.checkReady(),
    });
    this.connection = createKafkaConnection({
      brokers: this.config.KAFKA_BROKERS,
      clientId: this.config.KAFKA_CLIENT_ID ?? STATUS_EXPORTER_SERVICE,
      logger: this.logger,
    });
    this.consumer = createBatchConsumer(this.connection, {
      groupId: this.config.STATUS_GROUP_ID,
      topics: [this.config.STATUS_TOPIC],
      schema: statusEventSchema,
      handler: async (messages) => this.handle(messages),
      service: STATUS_EXPORTER_SERVICE,
      registry: this.context.registry,
      fromBeginning: this.config.STATUS_FROM_BEGINNING,
    });
    return 'start';
  }

  protected async stop(started: Promise<void>): Promise<void> {
    await started;
    await this.consumer?.stop();
  }

  /** Records every event of the batch; all are `done`. */
  handle(messages: readonly ConsumedMessage<StatusEvent>[]): MessageOutcome[] {
    for (const message of messages) this.metrics.record(message.value);
    return messages.map(() => DONE);
  }

  protected async start(signal: AbortSignal): Promise<void> {
    const { connection, consumer } = this;
    if (!connection || !consumer) return;
    this.notReadyReason = `kafka not reachable at ${connection.brokers.join(',')}`;
    await ensureTopicsWhenReachable(
      connection,
      [{ name: this.config.STATUS_TOPIC, partitions: STATUS_TOPIC_PARTITIONS }],
      {
        signal,
        onFailure: (reason, attempt) => {
          this.notReadyReason = `cannot ensure ${this.config.STATUS_TOPIC}: ${reason}`;
          this.logger.warn(
            {
              attempt,
              topic: this.config.STATUS_TOPIC,
              err: this.notReadyReason,
            },
            'retrying topic creation',
          );
        },
      },
    );
    if (signal.aborted) return;
    await consumer.start();
    this.logger.info(
      { topic: this.config.STATUS_TOPIC, group: this.config.STATUS_GROUP_ID },
      'consuming write-status events',
    );
  }

  private checkReady(): boolean {
    const health = this.consumer?.health();
    if (health?.ready) return true;
    throw new Error(health?.reason ?? this.notReadyReason);
  }
}
