import {
  deadLetterSchema,
  dlqTopic,
  type DeadLetter,
} from '@kingbridge/contracts';
import type {
  DeadLetterInput,
  DeadLetterPublisher,
  KafkaProducer,
} from './kafka.types';

/** Headers on every dead letter, so tools can filter without decoding the value. */
export const HEADER_ERROR_CLASS = 'kb-error-class';
export const HEADER_ORIGINAL_TOPIC = 'kb-original-topic';

export function createDeadLetterPublisher(
  producer: KafkaProducer,
  defaults: { readonly service: string; readonly flow?: string },
): DeadLetterPublisher {
  return {
    async publish(entries: readonly DeadLetterInput[]): Promise<void> {
      const byTopic = new Map<string, DeadLetterInput[]>();
      for (const e of entries) {
        const list = byTopic.get(e.topic) ?? [];
        list.push(e);
        byTopic.set(e.topic, list);
      }
      const now = new Date().toISOString();
      for (const [topic, list] of byTopic) {
        await producer.sendJson(
          dlqTopic(topic),
          deadLetterSchema,
          list.map((e) => {
            const flow = e.flow ?? defaults.flow;
            const record: DeadLetter = {
              schemaVersion: 1,
              service: e.service ?? defaults.service,
              ...(flow !== undefined ? { flow } : {}),
              originalTopic: e.topic,
              partition: e.partition,
              offset: e.offset,
              key: e.raw.key === null ? null : e.raw.key.toString('base64'),
              value:
                e.raw.value === null ? null : e.raw.value.toString('base64'),
              headers: { ...e.raw.headers },
              errorClass: e.error.errorClass,
              errorMessage: e.error.message,
              ...(e.error.fieldPath !== undefined
                ? { fieldPath: e.error.fieldPath }
                : {}),
              firstFailedAt: e.firstFailedAt ?? now,
              lastFailedAt: now,
              attempts: Math.max(1, e.attempts),
            };
            return {
              key: e.raw.key === null ? null : e.raw.key.toString('utf8'),
              value: record,
              headers: {
                [HEADER_ERROR_CLASS]: e.error.errorClass,
                [HEADER_ORIGINAL_TOPIC]: e.topic,
              },
            };
          }),
        );
      }
    },
  };
}
