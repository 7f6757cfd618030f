import {
  Counter,
  Gauge,
  Histogram,
  register,
  type Registry,
} from 'prom-client';

export interface KafkaMetrics {
  readonly consumerLag: Gauge<'group' | 'topic' | 'partition'>;
  readonly messagesConsumed: Counter<'group' | 'topic'>;
  readonly deadLetters: Counter<'group' | 'topic' | 'error_class'>;
  readonly batchMessages: Histogram<'group' | 'topic'>;
}

const cache = new WeakMap<Registry, KafkaMetrics>();

/** The runtime's metrics on `registry` (created once per registry). */
export function kafkaMetrics(registry: Registry = register): KafkaMetrics {
  const cached = cache.get(registry);
  if (cached) return cached;
  const metrics: KafkaMetrics = {
    consumerLag: getOrCreate(
      registry,
      'kingbridge_kafka_consumer_lag',
      () =>
        new Gauge({
          name: 'kingbridge_kafka_consumer_lag',
          help: 'Messages between the resolved offset and the high watermark, per partition',
          labelNames: ['group', 'topic', 'partition'] as const,
          registers: [registry],
        }),
    ),
    messagesConsumed: getOrCreate(
      registry,
      'kingbridge_kafka_messages_consumed_total',
      () =>
        new Counter({
          name: 'kingbridge_kafka_messages_consumed_total',
          help: 'Messages finished by a batch consumer (done or dead-lettered)',
          labelNames: ['group', 'topic'] as const,
          registers: [registry],
        }),
    ),
    deadLetters: getOrCreate(
      registry,
      'kingbridge_kafka_dead_letters_total',
      () =>
        new Counter({
          name: 'kingbridge_kafka_dead_letters_total',
          help: 'Messages sent to a dead-letter topic by a batch consumer',
          labelNames: ['group', 'topic', 'error_class'] as const,
          registers: [registry],
        }),
    ),
    batchMessages: getOrCreate(
      registry,
      'kingbridge_kafka_batch_messages',
      () =>
        new Histogram({
          name: 'kingbridge_kafka_batch_messages',
          help: 'Messages per batch handed to a handler',
          labelNames: ['group', 'topic'] as const,
          buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000],
          registers: [registry],
        }),
    ),
  };
  cache.set(registry, metrics);
  return metrics;
}

function getOrCreate<T>(registry: Registry, name: string, create: () => T): T {
  // Another module (or a hot reload) may have registered it already.
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}
