import {
  createBatchConsumer,
  perMessage,
  type BatchConsumer,
  type BatchContext,
  type BatchHandler,
  type ConsumedMessage,
  type DeadLetterPublisher,
  type KafkaConnection,
  type MessageOutcome,
} from '@kingbridge/kafka';
import { Inject, Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import {
  KAFKA_BATCH_HANDLER_METADATA,
  type KafkaBatchHandlerOptions,
} from './kafka-batch-handler.decorator';
import type { KafkaModuleOptions } from './kafka-module.options';
import {
  KAFKA_CONNECTION,
  KAFKA_DEAD_LETTERS,
  KAFKA_MODULE_OPTIONS,
} from './kafka.tokens';

export interface DiscoveredBatchHandler {
  readonly name: string;
  readonly options: KafkaBatchHandlerOptions;
  readonly handler: BatchHandler<unknown>;
}

export interface KafkaTransportHealth {
  readonly ready: boolean;
  readonly consumers: ReadonlyArray<{
    groupId: string;
    ready: boolean;
    reason?: string;
  }>;
}

/**
 * Nest custom transport that runs every @KafkaBatchHandler method on the
 * @kingbridge/kafka batch runtime (one consumer group per method), instead of
 * Nest's per-message Kafka transport (ADR 0007). Provided by KafkaModule:
 *
 *   app.connectMicroservice({ strategy: app.get(KafkaBatchTransport) });
 *   await app.startAllMicroservices();   // consumers connect in the background
 *   app.enableShutdownHooks();           // close(): finish in-flight, commit, leave
 */
@Injectable()
export class KafkaBatchTransport
  extends Server
  implements CustomTransportStrategy
{
  private readonly consumers: BatchConsumer[] = [];

  constructor(
    @Inject(KAFKA_MODULE_OPTIONS) private readonly options: KafkaModuleOptions,
    @Inject(KAFKA_CONNECTION) private readonly connection: KafkaConnection,
    @Inject(KAFKA_DEAD_LETTERS)
    private readonly deadLetters: DeadLetterPublisher,
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(MetadataScanner) private readonly scanner: MetadataScanner,
  ) {
    super();
  }

  /** Called by Nest (startAllMicroservices). Consumers retry connecting in the background. */
  listen(callback: (...optionalParams: unknown[]) => unknown): void {
    for (const found of this.discoverHandlers()) {
      const o = found.options;
      const consumer = createBatchConsumer(this.connection, {
        groupId: o.groupId,
        topics: o.topics,
        schema: o.schema,
        handler: found.handler,
        service: this.options.service,
        deadLetters: this.deadLetters,
        ...optional('flow', o.flow ?? this.options.flow),
        ...optional('retry', o.retry ?? this.options.retry),
        ...optional('registry', this.options.registry),
        ...optional('heartbeatIntervalMs', o.heartbeatIntervalMs),
        ...optional('sessionTimeoutMs', o.sessionTimeoutMs),
        ...optional(
          'partitionsConsumedConcurrently',
          o.partitionsConsumedConcurrently,
        ),
        ...optional('fromBeginning', o.fromBeginning),
      });
      this.consumers.push(consumer);
      void consumer.start();
    }
    callback();
  }

  /** Stops every consumer: in-flight batches finish and commit, then the groups are left. */
  async close(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.stop()));
  }

  health(): KafkaTransportHealth {
    const consumers = this.consumers.map((c) => ({
      groupId: c.groupId,
      ...c.health(),
    }));
    return { ready: consumers.every((c) => c.ready), consumers };
  }

  on(): never {
    throw new Error('KafkaBatchTransport has no events; use health()');
  }

  unwrap<T>(): T {
    return this.consumers as T;
  }

  /** Every @KafkaBatchHandler method on providers and controllers, bound to its instance. */
  discoverHandlers(): DiscoveredBatchHandler[] {
    const found: DiscoveredBatchHandler[] = [];
    const wrappers = [
      ...this.discovery.getProviders(),
      ...this.discovery.getControllers(),
    ];
    for (const wrapper of wrappers) {
      const instance: unknown = wrapper.instance;
      if (instance === null || typeof instance !== 'object') continue;
      const prototype: object | null = Object.getPrototypeOf(instance);
      if (prototype === null) continue;
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const method: unknown = (instance as Record<string, unknown>)[
          methodName
        ];
        if (typeof method !== 'function') continue;
        const options = Reflect.getMetadata(
          KAFKA_BATCH_HANDLER_METADATA,
          method,
        ) as KafkaBatchHandlerOptions | undefined;
        if (options === undefined) continue;
        const bound = method.bind(instance) as (
          ...args: unknown[]
        ) => Promise<unknown>;
        const handler: BatchHandler<unknown> =
          options.mode === 'message'
            ? perMessage(
                async (m: ConsumedMessage<unknown>, ctx: BatchContext) => {
                  await bound(m, ctx);
                },
              )
            : async (messages, ctx) =>
                (await bound(messages, ctx)) as
                  | readonly MessageOutcome[]
                  | ReadonlyMap<string, MessageOutcome>;
        found.push({
          name: `${instance.constructor.name}.${methodName}`,
          options,
          handler,
        });
      }
    }
    const groups = found.map((f) => f.options.groupId);
    const duplicate = groups.find((g, i) => groups.indexOf(g) !== i);
    if (duplicate !== undefined) {
      throw new Error(
        `two @KafkaBatchHandler methods share groupId ${duplicate}`,
      );
    }
    return found;
  }
}

function optional<K extends string, V>(
  key: K,
  value: V | undefined,
): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
