import type { z } from 'zod';
import type { KafkaConnection, BatchConsumer, BatchConsumerOptions } from './kafka.types';

/** Batch consumer runtime on eachBatch (implementation in progress). */
export function createBatchConsumer<S extends z.ZodType>(
  connection: KafkaConnection,
  options: BatchConsumerOptions<S>,
): BatchConsumer {
  void connection;
  void options;
  throw new Error('createBatchConsumer: not implemented yet');
}
