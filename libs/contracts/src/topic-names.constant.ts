import type { KingdeeTarget, SourceStreamSpec } from './platform.schema';

/**
 * Every Kafka topic Kingbridge uses, in one place. Naming follows
 * `<domain>.<system>.<entity>.<stage>.v<N>`; dead-letter topics append `.dlq`.
 * A breaking schema change gets a new `.vN` topic, never an in-place edit.
 */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  /** Topic-level configs passed to CreateTopics. */
  readonly config?: Readonly<Record<string, string>>;
  readonly description: string;
}

/** Raw and outbound topics have >= 6 partitions so consumers can scale out. */
export const DATA_TOPIC_PARTITIONS = 6;
export const DLQ_TOPIC_PARTITIONS = 1;
export const STATUS_TOPIC_PARTITIONS = 3;

export const KINGDEE_TARGETS: readonly KingdeeTarget[] = [
  'k3cloud',
  'jdy',
  'k3wise',
];

/** The raw topic of a source stream: `<domain>.<platform>.<entity>.raw.v1`. */
export function rawTopicName(
  stream: Pick<SourceStreamSpec, 'domain' | 'platform' | 'entity'>,
): string {
  return `${stream.domain}.${stream.platform}.${stream.entity}.raw.v1`;
}

export function outboundTopic(target: KingdeeTarget): string {
  return `erp.kingdee.${target}.outbound.v1`;
}

export const STATUS_TOPIC = 'erp.kingdee.write-status.v1';

export function dlqTopic(topic: string): string {
  return `${topic}.dlq`;
}

export function isDlqTopic(topic: string): boolean {
  return topic.endsWith('.dlq');
}

/**
 * All topics of these source streams, with partitions: their raw topics, the outbound and status topics and every
 * dead-letter topic. `allTopics()` of `@kingbridge/source-registry` gives them for the registered streams.
 */
export function topicsOf(streams: readonly SourceStreamSpec[]): TopicSpec[] {
  const data: TopicSpec[] = [
    ...streams.map((s) => ({
      name: rawTopicName(s),
      partitions: DATA_TOPIC_PARTITIONS,
      description: `raw ${s.entity} records pulled from ${s.platform}, keyed by source id`,
    })),
    ...KINGDEE_TARGETS.map((t) => ({
      name: outboundTopic(t),
      partitions: DATA_TOPIC_PARTITIONS,
      description: `outbound documents for Kingdee ${t}, keyed by document key`,
    })),
    {
      name: STATUS_TOPIC,
      partitions: STATUS_TOPIC_PARTITIONS,
      description:
        'one write-status event per outbound document, keyed by document key',
    },
  ];
  const dlqs = data.map((t) => ({
    name: dlqTopic(t.name),
    partitions: DLQ_TOPIC_PARTITIONS,
    description: `dead letters of ${t.name}: original bytes plus the reason`,
  }));
  return [...data, ...dlqs];
}
