import { SetMetadata } from '@nestjs/common';
import type { BackoffPolicy } from '@kingbridge/pipeline-core';
import type { z } from 'zod';

export const KAFKA_BATCH_HANDLER_METADATA = 'kingbridge:kafka-batch-handler';

export interface KafkaBatchHandlerOptions<S extends z.ZodType = z.ZodType> {
  readonly topics: readonly string[];
  readonly groupId: string;
  /** Message values are validated with this; failures go to `<topic>.dlq`. */
  readonly schema: S;
  /**
   * `batch` (default): the method gets `(messages, ctx)` and returns one
   * MessageOutcome per message. `message`: the method gets `(message, ctx)`
   * once per message and throws to fail it (retriable → retry, else DLQ).
   */
  readonly mode?: 'batch' | 'message';
  /** Dead letters' `flow` (default: the module's). */
  readonly flow?: string;
  readonly retry?: BackoffPolicy;
  readonly heartbeatIntervalMs?: number;
  readonly sessionTimeoutMs?: number;
  readonly partitionsConsumedConcurrently?: number;
  readonly fromBeginning?: boolean;
}

/**
 * Marks a provider (or controller) method as a Kafka batch handler run by
 * KafkaBatchTransport on the @kingbridge/kafka batch runtime, one consumer
 * group per method:
 *
 *   @KafkaBatchHandler({ topics: [outboundTopic('k3cloud')], groupId: 'sink-kingdee-k3cloud', schema: outboundDocumentSchema })
 *   async write(messages: readonly ConsumedMessage<OutboundDocument>[], ctx: BatchContext): Promise<MessageOutcome[]> { … }
 */
export function KafkaBatchHandler<S extends z.ZodType>(
  options: KafkaBatchHandlerOptions<S>,
): MethodDecorator {
  return SetMetadata(KAFKA_BATCH_HANDLER_METADATA, options);
}
