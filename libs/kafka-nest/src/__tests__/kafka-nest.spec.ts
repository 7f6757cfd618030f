import 'reflect-metadata';
import { createServer } from 'node:net';
import type { ConsumedMessage, MessageOutcome } from '@kingbridge/kafka';
import { createLogger } from '@kingbridge/observability';
import { pollUntil } from '@kingbridge/testing';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  KafkaBatchHandler,
  KafkaBatchTransport,
  KafkaLifecycle,
  KafkaModule,
  kafkaHealthIndicator,
} from '../index';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === 'string')
    throw new Error('no port');
  return address.port;
}

@Injectable()
class OrdersHandler {
  @KafkaBatchHandler({
    topics: ['orders'],
    groupId: 'orders-group',
    schema: z.object({ id: z.string() }),
  })
  async handle(
    messages: readonly ConsumedMessage<{ id: string }>[],
  ): Promise<MessageOutcome[]> {
    return messages.map(() => ({ kind: 'done' }));
  }

  @KafkaBatchHandler({
    topics: ['items'],
    groupId: 'items-group',
    schema: z.object({}),
    mode: 'message',
  })
  async handleOne(): Promise<void> {}

  notAHandler(): string {
    return 'ignored';
  }
}

describe('kafka-nest without a broker', () => {
  it('should boot, discover decorated methods and report not ready with the reason when Kafka is unreachable', async () => {
    const port = await closedPort();
    @Module({
      imports: [
        KafkaModule.forRootAsync({
          useFactory: () => ({
            brokers: [`127.0.0.1:${port}`],
            clientId: 'unit',
            logger: createLogger('unit', 'silent'),
            service: 'unit',
            registry: new Registry(),
          }),
        }),
      ],
      providers: [OrdersHandler],
    })
    class AppModule {}

    const app = await NestFactory.create(AppModule, { logger: false });
    const transport = app.get(KafkaBatchTransport);
    app.connectMicroservice({ strategy: transport });
    await app.startAllMicroservices();
    await app.init();
    const health = kafkaHealthIndicator(app.get(KafkaLifecycle), transport);

    const discovered = transport
      .discoverHandlers()
      .map((h) => [h.name, h.options.groupId]);
    const result = await pollUntil(async () => {
      const h = await health();
      return h.reason?.includes('not reachable') ? h : undefined;
    });

    expect(discovered).toEqual([
      ['OrdersHandler.handle', 'orders-group'],
      ['OrdersHandler.handleOne', 'items-group'],
    ]);
    expect(result.ready).toBe(false);
    expect(result.reason).toContain(`kafka not reachable at 127.0.0.1:${port}`);
    expect(result.consumers.map((c) => c.groupId)).toEqual([
      'orders-group',
      'items-group',
    ]);
    await app.close();
  });
});
