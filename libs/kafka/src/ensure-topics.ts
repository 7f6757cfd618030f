import type { TopicSpec } from '@kingbridge/contracts';
import { clientOf } from './kafka-connection';
import type { KafkaConnection } from './kafka.types';

export interface EnsureTopicsResult {
  readonly created: string[];
  readonly grown: string[];
}

/**
 * Creates missing topics with their partitions and configs (waiting for
 * leaders) and grows topics that have fewer partitions than specified.
 * Never shrinks or deletes. Idempotent; safe to call from every service at start.
 */
export async function ensureTopics(
  connection: KafkaConnection,
  specs: readonly Pick<TopicSpec, 'name' | 'partitions' | 'config'>[],
  options: { readonly replicationFactor?: number } = {},
): Promise<EnsureTopicsResult> {
  const admin = clientOf(connection).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.name));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((s) => ({
          topic: s.name,
          numPartitions: s.partitions,
          replicationFactor: options.replicationFactor ?? 1,
          configEntries: Object.entries(s.config ?? {}).map(
            ([name, value]) => ({
              name,
              value,
            }),
          ),
        })),
      });
    }
    const present = specs.filter((s) => existing.has(s.name));
    const grown: string[] = [];
    if (present.length > 0) {
      const meta = await admin.fetchTopicMetadata({
        topics: present.map((s) => s.name),
      });
      const toGrow = present.filter((s) => {
        const topic = meta.topics.find((t) => t.name === s.name);
        return topic !== undefined && topic.partitions.length < s.partitions;
      });
      if (toGrow.length > 0) {
        await admin.createPartitions({
          validateOnly: false,
          topicPartitions: toGrow.map((s) => ({
            topic: s.name,
            count: s.partitions,
          })),
        });
        grown.push(...toGrow.map((s) => s.name));
      }
    }
    if (missing.length > 0 || grown.length > 0) {
      connection.logger.info(
        { created: missing.map((s) => s.name), grown },
        'kafka topics ensured',
      );
    }
    return { created: missing.map((s) => s.name), grown };
  } finally {
    await admin.disconnect();
  }
}
