/** Injection tokens of KafkaModule (explicit: no emitDecoratorMetadata under tsx). */
export const KAFKA_MODULE_OPTIONS = Symbol('KAFKA_MODULE_OPTIONS');
export const KAFKA_CONNECTION = Symbol('KAFKA_CONNECTION');
export const KAFKA_PRODUCER = Symbol('KAFKA_PRODUCER');
export const KAFKA_DEAD_LETTERS = Symbol('KAFKA_DEAD_LETTERS');
export const KAFKA_CLIENTS = Symbol('KAFKA_CLIENTS');
