import {
  createDeadLetterPublisher,
  createKafkaConnection,
  createProducer,
  ensureTopicsWhenReachable,
  type DeadLetterPublisher,
  type KafkaConnection,
  type KafkaProducer,
} from '@kingbridge/kafka';
import { Inject, Injectable, Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { BackgroundService } from './background-service';
import { KafkaBatchTransport } from './kafka-batch.transport';
import type {
  KafkaModuleAsyncOptions,
  KafkaModuleOptions,
} from './kafka-module.options';
import {
  KAFKA_CLIENTS,
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
export class KafkaLifecycle extends BackgroundService {
  private topicsReady = false;
  private connected = false;

  constructor(
    @Inject(KAFKA_MODULE_OPTIONS) private readonly options: KafkaModuleOptions,
    @Inject(KAFKA_CONNECTION) private readonly connection: KafkaConnection,
    @Inject(KAFKA_PRODUCER) private readonly producer: KafkaProducer,
  ) {
    super(options.logger, 'stay-up', 'kafka start-up failed');
  }

  protected prepare(): 'start' {
    return 'start';
  }

  protected async stop(started: Promise<void>): Promise<void> {
    await started;
    await this.producer.disconnect().catch(() => undefined);
  }

  /** Ready = topics ensured and producer connected. */
  health(): { ready: boolean; reason?: string } {
    const ready = this.topicsReady && this.producer.isReady();
    if (ready) return { ready };
    return {
      ready,
      reason: this.connected ? 'producer not connected' : this.notReadyReason,
    };
  }

  protected async start(signal: AbortSignal): Promise<void> {
    this.notReadyReason = `kafka not reachable at ${this.connection.brokers.join(',')}`;
    await ensureTopicsWhenReachable(
      this.connection,
      this.options.topics ?? [],
      {
        signal,
        onFailure: (reason, attempt) => {
          this.notReadyReason = `cannot ensure topics: ${reason}`;
          this.logger.warn(
            { attempt, err: this.notReadyReason },
            'retrying topic creation',
          );
        },
      },
    );
    this.topicsReady = true;
    await this.producer.connect(signal);
    this.connected = true;
  }
}

/** The module's clients in one value (`KAFKA_CLIENTS`): what a service that runs its own batch consumers needs. */
export interface KafkaClients {
  readonly connection: KafkaConnection;
  readonly producer: KafkaProducer;
  readonly deadLetters: DeadLetterPublisher;
  readonly lifecycle: KafkaLifecycle;
}

@Module({})
export class KafkaModule {
  /**
   * Provides KAFKA_CONNECTION, KAFKA_PRODUCER, KAFKA_DEAD_LETTERS,
   * KAFKA_CLIENTS, KafkaBatchTransport and KafkaLifecycle (global).
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
        {
          provide: KAFKA_CLIENTS,
          useFactory: (
            connection: KafkaConnection,
            producer: KafkaProducer,
            deadLetters: DeadLetterPublisher,
            lifecycle: KafkaLifecycle,
          ): KafkaClients => ({ connection, producer, deadLetters, lifecycle }),
          inject: [
            KAFKA_CONNECTION,
            KAFKA_PRODUCER,
            KAFKA_DEAD_LETTERS,
            KafkaLifecycle,
          ],
        },
        KafkaBatchTransport,
      ],
      exports: [
        KAFKA_MODULE_OPTIONS,
        KAFKA_CONNECTION,
        KAFKA_PRODUCER,
        KAFKA_DEAD_LETTERS,
        KafkaLifecycle,
        KAFKA_CLIENTS,
        KafkaBatchTransport,
      ],
    };
  }
}
