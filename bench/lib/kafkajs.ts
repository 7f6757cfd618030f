/*
 * The harness's only door to kafkajs itself. The pipeline goes through @kingbridge/kafka; the bench also
 * measures the bare client (the "kafkajs eachBatch" ceiling) and drives the broker beyond what the pipeline
 * needs (commit a fresh group at the end of a topic, watch a group's state).
 */
// eslint-disable-next-line no-restricted-imports -- see above: the bench measures and drives the raw client
export { CompressionTypes, Kafka, logLevel } from 'kafkajs';
// eslint-disable-next-line no-restricted-imports -- types of the same
export type { Admin, Message } from 'kafkajs';
