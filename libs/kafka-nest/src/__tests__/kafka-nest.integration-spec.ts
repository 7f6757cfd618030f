import 'reflect-metadata';
import {
  createProducer,
  type BatchContext,
  type ConsumedMessage,
  type MessageOutcome,
} from '@kingbridge/kafka';
import { createLogger } from '@kingbridge/observability';
import { NonRetriableError } from '@kingbridge/pipeline-core';
import {
  createTestTopics,
  pollUntil,
  testKafkaConnection,
  TEST_KAFKA_BROKERS,
  uniqueName,
} from '@kingbridge/testing';
import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  KafkaBatchHandler,
  KafkaBatchTransport,
  KafkaLifecycle,
  KafkaModule,
  kafkaHealthIndicator,
} from '../index';

const itemSchema = z.object({ n: z.number() });
type Item = z.infer<typeof itemSchema>;

let app: INestApplication | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function bootApp(
  topic: string,
  groupId: string,
  seen: number[],
): Promise<INestApplication> {
  @Injectable()
  class ItemsHandler {
    @KafkaBatchHandler({ topics: [topic], groupId, schema: itemSchema })
    async handle(
      messages: readonly ConsumedMessage<Item>[],
      ctx: BatchContext,
    ): Promise<MessageOutcome[]> {
      expect(ctx.topic).toBe(topic);
      return messages.map((m): MessageOutcome => {
        if (m.value.n < 0) {
          return {
            kind: 'dead-letter',
            error: new NonRetriableError('negative', {
              errorClass: 'validation',
            }),
          };
        }
        seen.push(m.value.n);
        return { kind: 'done' };
      });
    }
  }

  @Module({
    imports: [
      KafkaModule.forRootAsync({
        useFactory: () => ({
          brokers: TEST_KAFKA_BROKERS,
          clientId: 'nest-test',
          logger: createLogger('nest-test', 'error'),
          service: 'nest-test',
          registry: new Registry(),
          topics: [],
        }),
      }),
    ],
    providers: [ItemsHandler],
  })
  class AppModule {}

  const nest = await NestFactory.create(AppModule, { logger: false });
  nest.connectMicroservice({ strategy: nest.get(KafkaBatchTransport) });
  await nest.startAllMicroservices();
  await nest.init();
  return nest;
}

describe('kafka-nest transport (real broker)', () => {
  it('should run a decorated provider method on batches and report ready when consuming', async () => {
    const [topic] = await createTestTopics(['nest']);
    const groupId = uniqueName('g-nest');
    const seen: number[] = [];
    const producer = createProducer(testKafkaConnection());
    await producer.sendJson(
      topic!,
      itemSchema,
      [1, -1, 2].map((n) => ({ key: null, value: { n } })),
    );
    await producer.disconnect();

    app = await bootApp(topic!, groupId, seen);
    const health = kafkaHealthIndicator(
      app.get(KafkaLifecycle),
      app.get(KafkaBatchTransport),
    );

    await pollUntil(async () => (await health()).ready, {
      description: 'kafka health ready',
    });
    await pollUntil(
      async () =>
        (
          await testKafkaConnection().admin.fetchCommittedOffsets(
            groupId,
            topic!,
          )
        )[0]?.offset === '3',
      { description: 'three offsets committed' },
    );
    expect(seen).toEqual([1, 2]);
    // Dead-lettering is at-least-once too: a rebalance between the DLQ write and the commit repeats it.
    expect(
      Number(
        (
          await testKafkaConnection().admin.fetchHighWatermarks(`${topic}.dlq`)
        )[0]?.offset,
      ),
    ).toBeGreaterThanOrEqual(1);

    await app.close();
    app = undefined;
    expect(
      await testKafkaConnection().admin.describeGroupMembers(groupId),
    ).toBe(0);
  });
});
