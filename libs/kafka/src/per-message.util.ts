import { toPipelineError } from '@kingbridge/pipeline-core';
import type {
  BatchHandler,
  MessageHandler,
  MessageOutcome,
} from './kafka.types';

/**
 * Adapts a per-message handler to a BatchHandler: messages run one by one in
 * offset order; a throw fails only that message (retriable -> retry, else
 * dead-letter); after an abort the remaining messages are left for retry.
 */
export function perMessage<T>(handler: MessageHandler<T>): BatchHandler<T> {
  return async (messages, ctx) => {
    const outcomes: MessageOutcome[] = [];
    for (const message of messages) {
      if (ctx.signal.aborted) {
        outcomes.push({
          kind: 'retry',
          error: toPipelineError(new Error('consumer stopping')),
        });
        continue;
      }
      try {
        await handler(message, ctx);
        outcomes.push({ kind: 'done' });
      } catch (err) {
        outcomes.push(outcomeOf(err));
      }
    }
    return outcomes;
  };
}

/** The outcome the runtime applies to a thrown error. */
export function outcomeOf(err: unknown): MessageOutcome {
  const error = toPipelineError(err);
  if (!error.retriable) return { kind: 'dead-letter', error };
  const retryAfterMs =
    'retryAfterMs' in error && typeof error.retryAfterMs === 'number'
      ? error.retryAfterMs
      : undefined;
  return retryAfterMs === undefined
    ? { kind: 'retry', error }
    : { kind: 'retry', error, retryAfterMs };
}
