import { createServer } from 'node:net';
import { createLogger } from '@kingbridge/observability';
import { NonRetriableError, RetriableError } from '@kingbridge/pipeline-core';
import { pollUntil } from '@kingbridge/testing';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createBatchConsumer,
  createKafkaConnection,
  outcomeOf,
} from '../index';

/** A loopback port with nothing listening (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === 'string')
    throw new Error('no port');
  return address.port;
}

describe('batch consumer without a broker', () => {
  it('should report not ready with the reason and stop cleanly when Kafka is unreachable', async () => {
    const port = await closedPort();
    const lines: string[] = [];
    const logger = createLogger('test', 'warn', {
      write: (l: string) => lines.push(l),
    } as unknown as NodeJS.WritableStream);
    const connection = createKafkaConnection({
      brokers: [`127.0.0.1:${port}`],
      clientId: 'test',
      logger,
    });
    const consumer = createBatchConsumer(connection, {
      groupId: 'g',
      topics: ['t'],
      schema: z.object({}),
      service: 'test',
      registry: new Registry(),
      handler: async () => [],
    });

    void consumer.start();
    await pollUntil(
      () => lines.some((l) => l.includes('kafka not reachable')),
      {
        description: 'a warning naming the cause',
      },
    );

    expect(consumer.isReady()).toBe(false);
    expect(consumer.health().reason).toContain(
      `kafka not reachable at 127.0.0.1:${port}`,
    );
    await consumer.stop();
    expect(consumer.health()).toEqual({ ready: false, reason: 'stopped' });
  });
});

describe('outcomeOf', () => {
  it('should dead-letter non-retriable errors and retry retriable ones with their retry-after', () => {
    const rejected = new NonRetriableError('bad', { errorClass: 'validation' });
    const busy = new RetriableError('busy', {
      errorClass: 'throttled',
      retryAfterMs: 700,
    });

    expect(outcomeOf(rejected)).toEqual({
      kind: 'dead-letter',
      error: rejected,
    });
    expect(outcomeOf(busy)).toEqual({
      kind: 'retry',
      error: busy,
      retryAfterMs: 700,
    });
    expect(outcomeOf(new Error('boom')).kind).toBe('retry');
  });
});
