/*
 * 1. The Kafka ceiling on the bench's broker, at each raw topic's median message size: Kafka's own
 *    ProducerPerformance (acks=all, linger 5 ms, 256 KB batches) and ConsumerPerformance, and a bare kafkajs
 *    `eachBatch` consumer that only touches each value. Every other figure of the run divides by these.
 */
import { runKafkaTool } from '../lib/broker';
import { createTopic } from '../lib/kafka';
import { medianMessageBytes, type BenchPlatform } from '../lib/records';
import type { BenchContext, Ceiling, Row, Scenario } from '../lib/types';

const PLATFORMS: readonly BenchPlatform[] = ['jackyun', 'wdt', 'xiaoman'];
export const CEILING_PARTITIONS = 12;

/** Last `N records sent, X records/sec` line of ProducerPerformance. */
export function parseProducerPerformance(out: string): number {
  const lines = [...out.matchAll(/(\d+) records sent, ([\d.]+) records\/sec/g)];
  const last = lines[lines.length - 1];
  if (!last?.[2])
    throw new Error(
      `no result in ProducerPerformance output: ${out.slice(-500)}`,
    );
  return Number(last[2]);
}

/** ConsumerPerformance's CSV: `nMsg.sec` (whole run) and `fetch.nMsg.sec` (without the group join). */
export function parseConsumerPerformance(out: string): {
  overall: number;
  fetch: number;
} {
  const lines = out.trim().split('\n');
  const head = lines.findIndex((l) => l.includes('nMsg.sec'));
  const names = (lines[head] ?? '').split(',').map((s) => s.trim());
  const values = (lines[head + 1] ?? '').split(',').map((s) => s.trim());
  const at = (name: string): number => Number(values[names.indexOf(name)]);
  const overall = at('nMsg.sec');
  const fetch = at('fetch.nMsg.sec');
  if (!Number.isFinite(overall))
    throw new Error(
      `no result in ConsumerPerformance output: ${out.slice(-500)}`,
    );
  return { overall, fetch };
}

async function kafkajsConsumer(
  ctx: BenchContext,
  topic: string,
  count: number,
): Promise<number> {
  const consumer = ctx.broker.kafka.consumer({
    groupId: `bench-bare-${ctx.suffix}-${topic}`,
    maxBytesPerPartition: 1_048_576,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let seen = 0;
  let bytes = 0;
  let joinedAt = performance.now();
  let last = 0;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joinedAt = performance.now();
  });
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) bytes += m.value?.length ?? 0;
        seen += batch.messages.length;
        last = performance.now();
        if (seen >= count) resolve();
      },
    });
  });
  await done;
  await consumer.disconnect();
  if (bytes === 0) throw new Error('bare consumer read no bytes');
  // From the group join (as ConsumerPerformance's fetch figure) to the last batch.
  return (1000 * seen) / Math.max(1, last - joinedAt);
}

export const ceilingScenario: Scenario = {
  name: 'ceiling',
  title: 'Kafka ceiling (same broker, same run)',
  async run(ctx) {
    const rows: Row[] = [];
    for (const platform of PLATFORMS) {
      const size = medianMessageBytes(platform, ctx.smoke ? 200 : 2000);
      // ~150 MB per size (a few seconds per tool on this machine); a few thousand for the smoke run.
      const count = ctx.smoke
        ? 2000
        : Math.min(200_000, Math.round(150e6 / size));
      const topic = `bench-ceiling-${platform}-${ctx.suffix}`;
      await createTopic(ctx.broker.connection, topic, CEILING_PARTITIONS);
      const bootstrap = ctx.broker.brokers.join(',');
      ctx.log(`ceiling ${platform}: ProducerPerformance ${count} × ${size} B`);
      const producer = parseProducerPerformance(
        await runKafkaTool('org.apache.kafka.tools.ProducerPerformance', [
          '--topic',
          topic,
          '--num-records',
          String(count),
          '--record-size',
          String(size),
          '--throughput',
          '-1',
          '--producer-props',
          `bootstrap.servers=${bootstrap}`,
          'acks=all',
          'linger.ms=5',
          'batch.size=262144',
        ]),
      );
      ctx.log(`ceiling ${platform}: ConsumerPerformance`);
      const consumer = parseConsumerPerformance(
        await runKafkaTool('org.apache.kafka.tools.ConsumerPerformance', [
          '--bootstrap-server',
          bootstrap,
          '--topic',
          topic,
          '--messages',
          String(count),
          '--timeout',
          '60000',
          '--group',
          `bench-perf-${ctx.suffix}-${platform}`,
        ]),
      );
      ctx.log(`ceiling ${platform}: bare kafkajs eachBatch consumer`);
      const bare = await kafkajsConsumer(ctx, topic, count);
      await ctx.broker.admin.deleteTopics({ topics: [topic] });
      const ceiling: Ceiling = {
        platform,
        messageBytes: size,
        producerRecordsPerSecond: producer,
        consumerRecordsPerSecond: consumer.overall,
        kafkajsRecordsPerSecond: bare,
      };
      ctx.ceilings.set(platform, ceiling);
      rows.push({
        'raw topic': platform,
        'median message B': size,
        records: count,
        'ProducerPerformance rec/s': Math.round(producer),
        'ConsumerPerformance rec/s': Math.round(consumer.overall),
        'ConsumerPerformance fetch rec/s': Math.round(consumer.fetch),
        'kafkajs eachBatch rec/s': Math.round(bare),
        'kafkajs / ConsumerPerformance': ratio(bare, consumer.overall),
      });
    }
    return {
      rows,
      notes: [
        'ProducerPerformance: acks=all, linger.ms=5, batch.size=262144, one producer, 12 partitions. ConsumerPerformance: one consumer, "rec/s" includes the group join, "fetch rec/s" does not. kafkajs: one eachBatch consumer that only reads each value\'s length.',
      ],
    };
  },
};

export function ratio(value: number, ceiling: number): number {
  return ceiling > 0 ? Math.round((100 * value) / ceiling) / 100 : 0;
}

export function ceilingOf(ctx: BenchContext, platform: string): Ceiling {
  const c = ctx.ceilings.get(platform);
  if (!c)
    throw new Error(`no Kafka ceiling measured for ${platform} in this run`);
  return c;
}
