import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { deadLetterSchema } from '@kingbridge/contracts';
import { NonRetriableError, RetriableError } from '@kingbridge/pipeline-core';
import {
  createTestTopics,
  pollUntil,
  testKafkaConnection,
  uniqueName,
  waitForMessages,
} from '@kingbridge/testing';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createBatchConsumer,
  createProducer,
  perMessage,
  type BatchConsumer,
  type KafkaProducer,
  type MessageOutcome,
} from '../index';

const ROOT = resolve(__dirname, '../../../..');
const itemSchema = z.object({ n: z.number().int() });
type Item = z.infer<typeof itemSchema>;
const FAST_RETRY = {
  initialMs: 50,
  multiplier: 2,
  factor: 0,
  maxMs: 200,
  attempts: 3,
};

const conn = testKafkaConnection();
const cleanups: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function producer(): Promise<KafkaProducer> {
  const p = createProducer(conn);
  await p.connect();
  cleanups.push(() => p.disconnect());
  return p;
}

function track(consumer: BatchConsumer): BatchConsumer {
  cleanups.push(() => consumer.stop());
  return consumer;
}

async function sendItems(topic: string, ns: number[]): Promise<void> {
  const p = await producer();
  await p.sendJson(
    topic,
    itemSchema,
    ns.map((n) => ({ key: `k${n}`, value: { n } })),
  );
}

async function committed(groupId: string, topic: string): Promise<string[]> {
  const offsets = await conn.admin.fetchCommittedOffsets(groupId, topic);
  return offsets.map((o) => o.offset);
}

function deadLetterValue(value: string | null): unknown {
  return value === null
    ? null
    : JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
}

describe('batch consumer runtime (real broker)', () => {
  it('should deliver every produced message and commit up to the high watermark when the handler succeeds', async () => {
    const [topic] = await createTestTopics(['roundtrip'], { partitions: 2 });
    const groupId = uniqueName('g-roundtrip');
    const registry = new Registry();
    const seen: Item[] = [];
    await sendItems(topic!, [1, 2, 3, 4, 5, 6, 7, 8]);

    const consumer = track(
      createBatchConsumer(conn, {
        groupId,
        topics: [topic!],
        schema: itemSchema,
        service: 'test',
        registry,
        handler: async (messages) => {
          seen.push(...messages.map((m) => m.value));
          return messages.map((): MessageOutcome => ({ kind: 'done' }));
        },
      }),
    );
    await consumer.start();

    await pollUntil(() => seen.length >= 8, {
      description: '8 messages handled',
    });
    const high = (await conn.admin.fetchHighWatermarks(topic!)).map(
      (o) => o.offset,
    );
    await pollUntil(
      async () => (await committed(groupId, topic!)).join() === high.join(),
      {
        description: 'offsets committed',
      },
    );
    expect(seen.map((s) => s.n).sort((a, b) => a - b)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8,
    ]);
    expect(consumer.isReady()).toBe(true);
    const consumed = await registry.getSingleMetricAsString(
      'kingbridge_kafka_messages_consumed_total',
    );
    expect(consumed).toContain(
      `kingbridge_kafka_messages_consumed_total{group="${groupId}",topic="${topic}"} 8`,
    );
    const lag = await registry
      .getSingleMetric('kingbridge_kafka_consumer_lag')
      ?.get();
    expect(lag?.values.every((v) => v.value === 0)).toBe(true);
  });

  it('should dead-letter exactly the failing message and commit the rest when the handler throws a non-retriable error on one message', async () => {
    const [topic] = await createTestTopics(['poison']);
    const groupId = uniqueName('g-poison');
    const registry = new Registry();
    const handled: number[] = [];
    await sendItems(topic!, [1, 2, 3, 4, 5]);

    track(
      createBatchConsumer(conn, {
        groupId,
        topics: [topic!],
        schema: itemSchema,
        service: 'test',
        registry,
        handler: perMessage(async (m) => {
          if (m.value.n === 3) {
            throw new NonRetriableError('customer code unknown', {
              errorClass: 'validation',
              fieldPath: 'customer.code',
            });
          }
          handled.push(m.value.n);
        }),
      }),
    ).start();

    await pollUntil(async () => (await committed(groupId, topic!))[0] === '5', {
      description: 'all five offsets committed',
    });
    const [dead, ...more] = await waitForMessages(`${topic}.dlq`, 1, {
      schema: deadLetterSchema,
    });
    expect(more).toHaveLength(0);
    expect(handled).toEqual([1, 2, 4, 5]);
    expect(dead?.key).toBe('k3');
    expect(dead?.value).toMatchObject({
      originalTopic: topic,
      partition: 0,
      offset: '2',
      errorClass: 'validation',
      errorMessage: 'customer code unknown',
      fieldPath: 'customer.code',
      attempts: 1,
      service: 'test',
    });
    expect(deadLetterValue(dead!.value.value)).toEqual({ n: 3 });
    const metric = await registry.getSingleMetricAsString(
      'kingbridge_kafka_dead_letters_total',
    );
    expect(metric).toContain(`error_class="validation"} 1`);
  });

  it('should dead-letter with the zod path when a message fails the schema or is not JSON', async () => {
    const [topic] = await createTestTopics(['schema']);
    const groupId = uniqueName('g-schema');
    const handled: number[] = [];
    const p = await producer();
    await p.send(topic!, [
      { key: 'good', value: JSON.stringify({ n: 1 }) },
      { key: 'bad', value: JSON.stringify({ n: 'one' }) },
      { key: 'junk', value: '{not json' },
      { key: 'good2', value: JSON.stringify({ n: 2 }) },
    ]);

    track(
      createBatchConsumer(conn, {
        groupId,
        topics: [topic!],
        schema: itemSchema,
        service: 'test',
        handler: perMessage(async (m) => {
          handled.push(m.value.n);
        }),
      }),
    ).start();

    const dead = await waitForMessages(`${topic}.dlq`, 2, {
      schema: deadLetterSchema,
    });
    await pollUntil(async () => (await committed(groupId, topic!))[0] === '4', {
      description: 'all four offsets committed',
    });
    expect(handled).toEqual([1, 2]);
    expect(
      dead.map((d) => [d.key, d.value.errorClass, d.value.fieldPath]),
    ).toEqual([
      ['bad', 'schema', 'n'],
      ['junk', 'schema', '(root)'],
    ]);
  });

  it('should retry only the failed message with backoff and dead-letter it after the configured attempts', async () => {
    const [topic] = await createTestTopics(['retry']);
    const groupId = uniqueName('g-retry');
    const attemptsByN = new Map<number, number[]>();
    await sendItems(topic!, [1, 2, 3]);

    track(
      createBatchConsumer(conn, {
        groupId,
        topics: [topic!],
        schema: itemSchema,
        service: 'test',
        retry: FAST_RETRY,
        handler: perMessage(async (m) => {
          attemptsByN.set(m.value.n, [
            ...(attemptsByN.get(m.value.n) ?? []),
            m.attempt,
          ]);
          if (m.value.n === 2 && m.attempt < 3) {
            throw new RetriableError('kingdee busy', {
              errorClass: 'concurrency_limit',
            });
          }
          if (m.value.n === 3)
            throw new RetriableError('still down', { errorClass: 'network' });
        }),
      }),
    ).start();

    const [dead] = await waitForMessages(`${topic}.dlq`, 1, {
      schema: deadLetterSchema,
    });
    await pollUntil(async () => (await committed(groupId, topic!))[0] === '3', {
      description: 'all three offsets committed',
    });
    expect(Object.fromEntries(attemptsByN)).toEqual({
      1: [1],
      2: [1, 2, 3],
      3: [1, 2, 3],
    });
    expect(dead?.value).toMatchObject({
      offset: '2',
      errorClass: 'network',
      attempts: 3,
    });
  });

  it('should keep the other partitions flowing and keep counting attempts while a released partition waits for its retry', async () => {
    const [topic] = await createTestTopics(['release'], { partitions: 2 });
    const groupId = uniqueName('g-release');
    const events: string[] = [];
    const p = await producer();
    const send = (n: number, partition: number) =>
      p.send(topic!, [
        { key: `k${n}`, value: JSON.stringify({ n }), partition },
      ]);
    await send(1, 0);

    track(
      createBatchConsumer(conn, {
        groupId,
        topics: [topic!],
        schema: itemSchema,
        service: 'test',
        retry: FAST_RETRY,
        // By time: FAST_RETRY's 3 attempts do not apply.
        retryBudgetMs: 60_000,
        releaseRetryingAfterMs: 500,
        handler: async (messages) =>
          messages.map((m): MessageOutcome => {
            events.push(`${m.value.n}#${m.attempt}`);
            return m.value.n === 1 && m.attempt < 4
              ? {
                  kind: 'retry',
                  error: new RetriableError('kingdee down', {
                    errorClass: 'network',
                  }),
                  retryAfterMs: 1000,
                }
              : { kind: 'done' };
          }),
      }),
    ).start();
    await pollUntil(() => events.includes('1#1'), {
      description: 'first attempt of the blocked message',
    });
    await send(2, 1);

    await pollUntil(
      async () => {
        const offsets = await committed(groupId, topic!);
        return offsets.length === 2 && offsets.every((o) => o === '1');
      },
      { timeoutMs: 20_000, description: 'both partitions committed' },
    );
    // Partition 1 did not wait for partition 0's retries; partition 0 kept its attempt count.
    expect(events.indexOf('2#1')).toBeLessThan(events.indexOf('1#2'));
    expect(events.filter((e) => e.startsWith('1#'))).toEqual([
      '1#1',
      '1#2',
      '1#3',
      '1#4',
    ]);
    const admin = await conn.admin.fetchHighWatermarks(`${topic}.dlq`);
    expect(admin.every((o) => o.offset === '0')).toBe(true);
  });

  it('should redeliver the uncommitted batch to a new member when the consumer process is killed before committing', async () => {
    const [topic] = await createTestTopics(['crash']);
    const groupId = uniqueName('g-crash');
    await sendItems(topic!, [1, 2, 3]);

    // node --import tsx (not the tsx CLI): one process, so SIGKILL hits the consumer itself.
    const child: ChildProcess = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        resolve(__dirname, 'fixtures/crash-consumer.fixture.ts'),
        topic!,
        groupId,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    cleanups.push(async () => child.kill('SIGKILL'));
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    const processed = await pollUntil(() => /PROCESSED (\S+)/.exec(out)?.[1], {
      timeoutMs: 30_000,
      description: 'child handled the batch',
    });
    child.kill('SIGKILL');
    expect(processed).toBe('0,1,2');
    expect(await committed(groupId, topic!)).toEqual(['-1']);

    const redelivered: string[] = [];
    track(
      createBatchConsumer(conn, {
        groupId,
        topics: [topic!],
        schema: itemSchema,
        service: 'test',
        handler: async (messages) => {
          redelivered.push(...messages.map((m) => m.offset));
          return messages.map((): MessageOutcome => ({ kind: 'done' }));
        },
      }),
    ).start();

    await pollUntil(async () => (await committed(groupId, topic!))[0] === '3', {
      timeoutMs: 30_000,
      description: 'new member committed the redelivered batch',
    });
    expect(redelivered).toEqual(['0', '1', '2']);
  });

  it('should finish the in-flight batch, commit it and leave the group when stopped', async () => {
    const [topic] = await createTestTopics(['stop']);
    const groupId = uniqueName('g-stop');
    await sendItems(topic!, [1, 2]);
    let entered = false;
    let sawAbort = false;

    const consumer = createBatchConsumer(conn, {
      groupId,
      topics: [topic!],
      schema: itemSchema,
      service: 'test',
      heartbeatIntervalMs: 200,
      handler: async (messages, ctx) => {
        entered = true;
        // Long work that only ends when the runtime asks us to stop.
        await new Promise<void>((done) =>
          ctx.signal.addEventListener('abort', () => done()),
        );
        sawAbort = ctx.signal.aborted;
        return messages.map((): MessageOutcome => ({ kind: 'done' }));
      },
    });
    await consumer.start();
    await pollUntil(() => entered, { description: 'handler entered' });
    expect(await conn.admin.describeGroupMembers(groupId)).toBe(1);

    await consumer.stop();

    expect(sawAbort).toBe(true);
    expect(await committed(groupId, topic!)).toEqual(['2']);
    expect(await conn.admin.describeGroupMembers(groupId)).toBe(0);
    expect(consumer.isReady()).toBe(false);
  });

  it('should leave unfinished messages uncommitted and not dead-letter them when stopped mid-handler', async () => {
    const [topic] = await createTestTopics(['stop-retry']);
    const groupId = uniqueName('g-stop-retry');
    await sendItems(topic!, [1]);
    let entered = false;

    const consumer = createBatchConsumer(conn, {
      groupId,
      topics: [topic!],
      schema: itemSchema,
      service: 'test',
      retry: { ...FAST_RETRY, attempts: 1 },
      handler: async (_messages, ctx) => {
        entered = true;
        await new Promise<void>((done) =>
          ctx.signal.addEventListener('abort', () => done()),
        );
        throw new RetriableError('interrupted', { errorClass: 'network' });
      },
    });
    await consumer.start();
    await pollUntil(() => entered, { description: 'handler entered' });

    await consumer.stop();

    expect(await committed(groupId, topic!)).toEqual(['-1']);
    expect(
      (await conn.admin.fetchHighWatermarks(`${topic}.dlq`))[0]?.offset,
    ).toBe('0');
  });

  it('should keep group membership and commit once when a handler runs longer than the session timeout', async () => {
    const [topic] = await createTestTopics(['slow']);
    const groupId = uniqueName('g-slow');
    await sendItems(topic!, [1]);
    let calls = 0;

    track(
      createBatchConsumer(conn, {
        groupId,
        topics: [topic!],
        schema: itemSchema,
        service: 'test',
        sessionTimeoutMs: 6000,
        heartbeatIntervalMs: 1000,
        handler: async (messages) => {
          calls++;
          // A slow Kingdee call: longer than the session timeout (the broker minimum, 6 s).
          await new Promise((done) => setTimeout(done, 7500));
          return messages.map((): MessageOutcome => ({ kind: 'done' }));
        },
      }),
    ).start();

    await pollUntil(async () => (await committed(groupId, topic!))[0] === '1', {
      timeoutMs: 20_000,
      description: 'slow batch committed',
    });
    expect(calls).toBe(1);
    expect(await conn.admin.describeGroupMembers(groupId)).toBe(1);
  });
});
