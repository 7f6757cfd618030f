/* Kafka helpers of the harness (kafkajs directly: the bench drives the broker, it is not a pipeline service). */
import { type RawRecord } from '@kingbridge/contracts';
import { allTopics } from '@kingbridge/source-registry';
import { ensureTopics, type KafkaConnection } from '@kingbridge/kafka';
import {
  CompressionTypes,
  type Admin,
  type Kafka,
  type Message,
} from './kafkajs';

const sleep = (ms: number): Promise<void> =>
  new Promise((done) => setTimeout(done, ms));

/** Every contract topic, raw topics with `rawPartitions` (the scale-out runs on 12). */
export async function createContractTopics(
  connection: KafkaConnection,
  rawPartitions: number,
): Promise<void> {
  await ensureTopics(
    connection,
    allTopics().map((t) => ({
      name: t.name,
      partitions: t.name.endsWith('.raw.v1') ? rawPartitions : t.partitions,
    })),
  );
}

export async function createTopic(
  connection: KafkaConnection,
  topic: string,
  partitions: number,
): Promise<void> {
  await ensureTopics(connection, [{ name: topic, partitions }]);
}

export function encodeRecords(records: readonly RawRecord[]): Message[] {
  return records.map((r) => ({ key: r.sourceId, value: JSON.stringify(r) }));
}

/** Produces pre-encoded messages as fast as the client goes (several batches in flight). */
export async function produceAll(
  kafka: Kafka,
  topic: string,
  messages: readonly Message[],
  batch = 1000,
): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < messages.length; i += batch) {
      sends.push(
        producer.send({
          topic,
          acks: -1,
          compression: CompressionTypes.None,
          messages: messages.slice(i, i + batch),
        }),
      );
      if (sends.length >= 4) await sends.shift();
    }
    await Promise.all(sends);
  } finally {
    await producer.disconnect();
  }
}

/** Retries an admin call for up to 15 s: a fresh broker answers "not the leader" for a moment after creating topics. */
async function retrying<T>(call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      return await call();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(200);
    }
  }
}

export async function endOffsets(
  admin: Admin,
  topic: string,
): Promise<Map<number, bigint>> {
  const offsets = await retrying(() => admin.fetchTopicOffsets(topic));
  return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
}

/** Commits `groupId` (no member yet) at the end of `topic`: its consumers read only what comes next. */
export async function startGroupAtEnd(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<void> {
  const ends = await endOffsets(admin, topic);
  await retrying(() =>
    admin.setOffsets({
      groupId,
      topic,
      partitions: [...ends].map(([partition, offset]) => ({
        partition,
        offset: String(offset),
      })),
    }),
  );
}

/** Messages of `topic` the group has committed past `from` (end offsets taken earlier). */
export async function committedSince(
  admin: Admin,
  groupId: string,
  topic: string,
  from: ReadonlyMap<number, bigint>,
): Promise<number> {
  const [entry] = await retrying(() =>
    admin.fetchOffsets({ groupId, topics: [topic] }),
  );
  let total = 0n;
  for (const p of entry?.partitions ?? []) {
    const base = from.get(p.partition) ?? 0n;
    const at = BigInt(p.offset);
    if (at > base) total += at - base;
  }
  return Number(total);
}

/** Waits until `groupId` is Stable with `members` members. */
export async function waitForGroup(
  admin: Admin,
  groupId: string,
  members: number,
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { groups } = await admin.describeGroups([groupId]);
    const g = groups[0];
    if (g?.state === 'Stable' && g.members.length === members) return;
    if (Date.now() > deadline)
      throw new Error(
        `group ${groupId}: ${g?.state ?? 'unknown'} with ${g?.members.length ?? 0}/${members} members`,
      );
    await sleep(100);
  }
}
