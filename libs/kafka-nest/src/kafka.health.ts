import type { KafkaBatchTransport } from './kafka-batch.transport';
import type { KafkaLifecycle } from './kafka.module';

export interface KafkaHealthResult {
  readonly name: 'kafka';
  readonly ready: boolean;
  /** Why not ready: the first failing part, for /health/ready bodies and logs. */
  readonly reason?: string;
  readonly consumers: ReadonlyArray<{
    groupId: string;
    ready: boolean;
    reason?: string;
  }>;
}

/**
 * Health indicator for /health/ready: ready when topics are ensured, the
 * producer is connected and every batch consumer has joined its group.
 *   const check = kafkaHealthIndicator(app.get(KafkaLifecycle), app.get(KafkaBatchTransport));
 */
export function kafkaHealthIndicator(
  lifecycle: Pick<KafkaLifecycle, 'health'>,
  transport?: Pick<KafkaBatchTransport, 'health'>,
): () => Promise<KafkaHealthResult> {
  return async () => {
    const base = lifecycle.health();
    const consumers = transport?.health().consumers ?? [];
    const notReady = consumers.find((c) => !c.ready);
    const ready = base.ready && notReady === undefined;
    const reason = !base.ready
      ? base.reason
      : notReady !== undefined
        ? `consumer ${notReady.groupId}: ${notReady.reason ?? 'not ready'}`
        : undefined;
    return {
      name: 'kafka',
      ready,
      ...(reason !== undefined ? { reason } : {}),
      consumers,
    };
  };
}
