import type { DashboardSpec } from './dashboard-kit.util';

const G = 'group=~"$group"';

/** Kafka consumers of every service: lag, throughput, batch sizes, dead letters, process health. */
export const KAFKA_DASHBOARD: DashboardSpec = {
  uid: 'kingbridge-kafka',
  file: 'kafka.json',
  title: 'Kingbridge / Kafka consumers',
  description:
    'Consumer groups of transform, sink and status exporter: lag per partition, throughput, batches, DLQ; service health.',
  variables: [
    {
      name: 'group',
      label: 'Consumer group',
      query: 'label_values(kingbridge_kafka_consumer_lag, group)',
    },
  ],
  rows: [
    {
      title: 'Consumers',
      panels: [
        {
          kind: 'timeseries',
          title: 'Lag by group and topic',
          description: 'Messages not yet consumed, summed over partitions.',
          unit: 'short',
          span: 12,
          min: 0,
          queries: [
            {
              expr: `sum by (group, topic) (kingbridge_kafka_consumer_lag{${G}})`,
              legend: '{{group}} ← {{topic}}',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Lag by partition',
          description: 'One partition growing alone points to a stuck message.',
          unit: 'short',
          span: 12,
          min: 0,
          queries: [
            {
              expr: `max by (group, topic, partition) (kingbridge_kafka_consumer_lag{${G}})`,
              legend: '{{group}} {{topic}}[{{partition}}]',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Messages consumed per second',
          description: 'Throughput per group and topic.',
          unit: 'ops',
          span: 8,
          min: 0,
          queries: [
            {
              expr: `sum by (group, topic) (rate(kingbridge_kafka_messages_consumed_total{${G}}[$__rate_interval]))`,
              legend: '{{group}} ← {{topic}}',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Batch size p50 / p95',
          description: 'Messages per handled batch.',
          unit: 'short',
          span: 8,
          min: 0,
          queries: [
            {
              expr: `histogram_quantile(0.5, sum by (group, le) (rate(kingbridge_kafka_batch_messages_bucket{${G}}[$__rate_interval])))`,
              legend: '{{group}} p50',
            },
            {
              expr: `histogram_quantile(0.95, sum by (group, le) (rate(kingbridge_kafka_batch_messages_bucket{${G}}[$__rate_interval])))`,
              legend: '{{group}} p95',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Dead letters per second',
          description:
            'Messages sent to <topic>.dlq, by group, topic and error class.',
          unit: 'ops',
          span: 8,
          min: 0,
          stacked: true,
          queries: [
            {
              expr: `sum by (group, topic, error_class) (rate(kingbridge_kafka_dead_letters_total{${G}}[$__rate_interval]))`,
              legend: '{{group}} {{topic}} {{error_class}}',
              mayBeEmpty: true,
            },
          ],
        },
      ],
    },
    {
      title: 'Services',
      panels: [
        {
          kind: 'timeseries',
          title: 'Scrape targets up',
          description:
            '1 = Prometheus scrapes the service; 0 for 2 minutes pages (KingbridgeServiceDown).',
          unit: 'short',
          span: 8,
          min: 0,
          queries: [{ expr: 'up', legend: '{{job}} {{instance}}' }],
        },
        {
          kind: 'timeseries',
          title: 'Resident memory',
          description: 'Process RSS per service instance.',
          unit: 'bytes',
          span: 8,
          min: 0,
          queries: [
            {
              expr: 'process_resident_memory_bytes',
              legend: '{{job}} {{instance}}',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'CPU',
          description: 'CPU seconds per second per service instance.',
          unit: 'percentunit',
          span: 8,
          min: 0,
          queries: [
            {
              expr: 'rate(process_cpu_seconds_total[$__rate_interval])',
              legend: '{{job}} {{instance}}',
            },
          ],
        },
      ],
    },
  ],
};
