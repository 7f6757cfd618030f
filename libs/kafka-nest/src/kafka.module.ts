import {
  createDeadLetterPublisher,
  createKafkaConnection,
  createProducer,
  ensureTopicsWhenReachable,
  type DeadLetterPublisher,
  type KafkaConnection,
  type KafkaProducer,
} from '@kingbridge/kafka';
import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { KafkaBatchTransport } from './kafka-batch.transport';
import type {
  KafkaModuleAsyncOptions,
  KafkaModuleOptions,
} from './kafka-module.options';
import {
  KAFKA_CONNECTION,
  KAFKA_DEAD_LETTERS,
  KAFKA_MODULE_OPTIONS,
  KAFKA_PRODUCER,
} from './kafka.tokens';

/**
 * Start-up and shutdown of the shared Kafka clients. Start-up never blocks
 * boot: topics and the producer connect in the background (retrying with
 * backoff and logging why) while /health/ready reports not ready.
 */
@Injectable()
export class KafkaLifecycle
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly abort = new AbortController();
  private topicsReady = false;
  private lastError: string | undefined = 'starting';
  private startup: Promise<void> | undefined;

  constructor(
    @Inject(KAFKA_MODULE_OPTIONS) private readonly options: KafkaModuleOptions,
    @Inject(KAFKA_CONNECTION) private readonly connection: KafkaConnection,
    @Inject(KAFKA_PRODUCER) private readonly producer: KafkaProducer,
  ) {}

  onApplicationBootstrap(): void {
    this.startup = this.start().catch((err: unknown) => {
      if (!this.abort.signal.aborted) {
        this.lastError = `kafka start-up failed: ${err instanceof Error ? err.message : String(err)}`;
        this.options.logger.error(
          { err: this.lastError },
          'kafka start-up failed',
        );
      }
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.abort.abort();
    await this.startup;
    await this.producer.disconnect().catch(() => undefined);
  }

  /** Ready = topics ensured and producer connected. */
  health(): { ready: boolean; reason?: string } {
    const ready = this.topicsReady && this.producer.isReady();
    if (ready) return { ready };
    return { ready, reason: this.lastError ?? 'producer not connected' };
  }

  private async start(): Promise<void> {
    const signal = this.abort.signal;
    this.lastError = `kafka not reachable at ${this.connection.brokers.join(',')}`;
    await ensureTopicsWhenReachable(
      this.connection,
      this.options.topics ?? [],
      {
        signal,
        onFailure: (reason, attempt) => {
          this.lastError = `cannot ensure topics: ${reason}`;
          this.options.logger.warn(
            { attempt, err: this.lastError },
            'retrying topic creation',
          );
        },
      },
    );
    this.topicsReady = true;
    await this.producer.connect(signal);
    this.lastError = undefined;
  }
}

@Module({})
export class KafkaModule {
  /**
   * Provides KAFKA_CONNECTION, KAFKA_PRODUCER, KAFKA_DEAD_LETTERS,
   * KafkaBatchTransport and KafkaLifecycle (global).
   */
  static forRootAsync(options: KafkaModuleAsyncOptions): DynamicModule {
    return {
      module: KafkaModule,
      global: true,
      imports: [...(options.imports ?? []), DiscoveryModule],
      providers: [
        {
          provide: KAFKA_MODULE_OPTIONS,
          useFactory: options.useFactory,
          inject: [...(options.inject ?? [])],
        },
        {
          provide: KAFKA_CONNECTION,
          useFactory: (o: KafkaModuleOptions): KafkaConnection =>
            createKafkaConnection({
              brokers: o.brokers,
              clientId: o.clientId,
              logger: o.logger,
            }),
          inject: [KAFKA_MODULE_OPTIONS],
        },
        {
          provide: KAFKA_PRODUCER,
          useFactory: (c: KafkaConnection): KafkaProducer => createProducer(c),
          inject: [KAFKA_CONNECTION],
        },
        {
          provide: KAFKA_DEAD_LETTERS,
          useFactory: (
            p: KafkaProducer,
            o: KafkaModuleOptions,
          ): DeadLetterPublisher =>
            createDeadLetterPublisher(p, {
              service: o.service,
              ...(o.flow !== undefined ? { flow: o.flow } : {}),
            }),
          inject: [KAFKA_PRODUCER, KAFKA_MODULE_OPTIONS],
        },
        KafkaLifecycle,
        KafkaBatchTransport,
      ],
      exports: [
        KAFKA_MODULE_OPTIONS,
        KAFKA_CONNECTION,
        KAFKA_PRODUCER,
        KAFKA_DEAD_LETTERS,
        KafkaLifecycle,
        KafkaBatchTransport,
      ],
    };
  }
}
