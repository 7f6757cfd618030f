import type { RawRecord } from '@kingbridge/contracts';

/**
 * Publishes raw records to a topic, keyed by `sourceId`. Resolves only when
 * Kafka acknowledged every record (the service adapts `KafkaProducer.sendJson`).
 */
export interface RawRecordPublisher {
  publish(topic: string, records: readonly RawRecord[]): Promise<void>;
}
