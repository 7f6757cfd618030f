export type * from './kafka.types';
export { createKafkaConnection, CONNECT_BACKOFF } from './kafka-connection';
export { kafkaSecurityFromEnv } from './kafka-security.config';
export {
  ensureTopics,
  ensureTopicsWhenReachable,
  type EnsureTopicsResult,
} from './ensure-topics';
export { createProducer } from './kafka-producer';
export {
  createDeadLetterPublisher,
  HEADER_ERROR_CLASS,
  HEADER_ORIGINAL_TOPIC,
} from './dead-letter.publisher';
export { createBatchConsumer } from './batch-consumer';
export { perMessage, outcomeOf } from './per-message.util';
export { kafkaMetrics, type KafkaMetrics } from './kafka.metrics';
export {
  readTopic,
  type ReadTopicOptions,
  type ReadMessage,
} from './read-topic';
export {
  listTopicDeadLetters,
  replayTopicDeadLetters,
  type DeadLetterSelector,
  type StoredTopicDeadLetter,
} from './dead-letter-replay';
