import type { Admin, Kafka } from 'kafkajs';
import type { KafkaAdmin, TopicPartitionOffset } from './kafka.types';

/** Admin calls, each on a short-lived admin client (cheap; avoids stale sockets in long-lived services). */
export function createKafkaAdmin(client: Kafka): KafkaAdmin {
  async function withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = client.admin();
    await admin.connect();
    try {
      return await fn(admin);
    } finally {
      await admin.disconnect();
    }
  }

  return {
    listTopics: () => withAdmin((a) => a.listTopics()),
    describeTopics: (topics) =>
      withAdmin(async (a) => {
        const existing = new Set(await a.listTopics());
        const wanted = topics.filter((t) => existing.has(t));
        const out = new Map<string, number>();
        if (wanted.length === 0) return out;
        const meta = await a.fetchTopicMetadata({ topics: wanted });
        for (const t of meta.topics) out.set(t.name, t.partitions.length);
        return out;
      }),
    fetchCommittedOffsets: (groupId, topic) =>
      withAdmin(async (a) => {
        const res = await a.fetchOffsets({ groupId, topics: [topic] });
        const entry = res.find((r) => r.topic === topic);
        return byPartition(entry?.partitions ?? [], (p) => p.offset);
      }),
    fetchHighWatermarks: (topic) =>
      withAdmin(async (a) => {
        const res = await a.fetchTopicOffsets(topic);
        return byPartition(res, (p) => p.high);
      }),
    deleteTopics: (topics) =>
      withAdmin(async (a) => {
        if (topics.length > 0) await a.deleteTopics({ topics: [...topics] });
      }),
    describeGroupMembers: (groupId) =>
      withAdmin(async (a) => {
        const res = await a.describeGroups([groupId]);
        return res.groups[0]?.members.length ?? 0;
      }),
  };
}

/** Each partition's offset (as `offsetOf` reads it), in partition order. */
function byPartition<P extends { readonly partition: number }>(
  partitions: readonly P[],
  offsetOf: (p: P) => string,
): TopicPartitionOffset[] {
  return partitions
    .map((p) => ({ partition: p.partition, offset: offsetOf(p) }))
    .sort((x, y) => x.partition - y.partition);
}
