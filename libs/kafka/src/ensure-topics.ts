import type { TopicSpec } from '@kingbridge/contracts';
import {
  RetryStoppedError,
  retryWithBackoff,
  type BackoffPolicy,
} from '@kingbridge/pipeline-core';
import type { Admin } from 'kafkajs';
import { CONNECT_BACKOFF, clientOf } from './kafka-connection';
import type { KafkaConnection } from './kafka.types';

const LEADER_WAIT_MS = 30_000;
/** Every 100 ms, until LEADER_WAIT_MS have passed. */
const LEADER_POLL: BackoffPolicy = {
  initialMs: 100,
  multiplier: 1,
  factor: 0,
  maxMs: 100,
  attempts: Number.POSITIVE_INFINITY,
};

/** Waits until every partition of `specs` has a leader (metadata errors while the broker catches up are retried). */
async function waitForLeaders(
  admin: Admin,
  specs: readonly Pick<TopicSpec, 'name' | 'partitions'>[],
): Promise<void> {
  try {
    await retryWithBackoff(
      async () => {
        const meta = await admin.fetchTopicMetadata({
          topics: specs.map((s) => s.name),
        });
        const waiting = specs.filter((s) => {
          const t = meta.topics.find((x) => x.name === s.name);
          return (
            t === undefined ||
            t.partitions.length < s.partitions ||
            t.partitions.some((p) => p.leader < 0)
          );
        });
        if (waiting.length > 0)
          throw new Error(
            `no leader yet for ${waiting.map((s) => s.name).join(', ')}`,
          );
      },
      { policy: LEADER_POLL, deadlineMs: Date.now() + LEADER_WAIT_MS },
    );
  } catch (err) {
    if (!(err instanceof RetryStoppedError)) throw err;
    const problem =
      err.lastError instanceof Error
        ? err.lastError.message
        : String(err.lastError);
    throw new Error(`topics created but not ready: ${problem}`);
  }
}

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
      // Not kafkajs' waitForLeaders: right after creating a topic a KRaft broker can answer its metadata
      // request "does not host this topic-partition", which kafkajs turns into a failure of the whole call.
      await admin.createTopics({
        waitForLeaders: false,
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
      await waitForLeaders(admin, missing);
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
        try {
          await admin.createPartitions({
            validateOnly: false,
            topicPartitions: toGrow.map((s) => ({
              topic: s.name,
              count: s.partitions,
            })),
          });
          grown.push(...toGrow.map((s) => s.name));
        } catch (err) {
          // Another instance starting at the same moment grew them first (INVALID_PARTITIONS: "Number of
          // partitions is invalid" for a count the topic already has): fine when they have enough now.
          const again = await admin.fetchTopicMetadata({
            topics: toGrow.map((s) => s.name),
          });
          const short = toGrow.filter((s) => {
            const topic = again.topics.find((t) => t.name === s.name);
            return (
              topic === undefined || topic.partitions.length < s.partitions
            );
          });
          if (short.length > 0) throw err;
        }
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

/**
 * For a service's start: waits for the broker, then ensures `specs`, retrying with CONNECT_BACKOFF (each failure
 * reported to `onFailure`, e.g. a readiness reason and a warn line; the broker awaited again before each retry)
 * until it worked or `signal` aborted. Returns false when aborted first.
 */
export async function ensureTopicsWhenReachable(
  connection: KafkaConnection,
  specs: readonly Pick<TopicSpec, 'name' | 'partitions' | 'config'>[],
  options: {
    readonly signal: AbortSignal;
    readonly onFailure: (reason: string, attempt: number) => void;
  },
): Promise<boolean> {
  const { signal } = options;
  await connection.waitUntilReachable(signal);
  try {
    await retryWithBackoff(
      async (attempt) => {
        if (attempt > 1) await connection.waitUntilReachable(signal);
        await ensureTopics(connection, specs);
      },
      {
        policy: CONNECT_BACKOFF,
        signal,
        // Stopping: the failure is thrown as it is.
        retryable: () => !signal.aborted,
        onRetry: (err, attempt) =>
          options.onFailure(
            err instanceof Error ? err.message : String(err),
            attempt,
          ),
      },
    );
    return true;
  } catch (err) {
    if (err instanceof RetryStoppedError) return false;
    throw err;
  }
}
