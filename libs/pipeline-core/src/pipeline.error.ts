import type { ErrorClass } from '@kingbridge/contracts';

/**
 * Base of every pipeline error. `retriable` decides the runtime policy:
 * retriable errors are retried with backoff, others go to the dead-letter topic.
 */
export class PipelineError extends Error {
  readonly errorClass: ErrorClass;
  readonly retriable: boolean;
  /** Path of the offending field, when the error is about one. */
  readonly fieldPath: string | undefined;

  constructor(
    message: string,
    options: {
      errorClass: ErrorClass;
      retriable: boolean;
      fieldPath?: string;
      cause?: unknown;
    },
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.errorClass = options.errorClass;
    this.retriable = options.retriable;
    this.fieldPath = options.fieldPath;
  }
}

/** Network, 5xx, throttling, session loss: try again later. */
export class RetriableError extends PipelineError {
  /** Server-suggested wait before the next attempt (benthos ErrBackOff). */
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    options: {
      errorClass: ErrorClass;
      retryAfterMs?: number;
      fieldPath?: string;
      cause?: unknown;
    },
  ) {
    super(message, { ...options, retriable: true });
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Validation, business rejection, missing master data: retrying cannot help. */
export class NonRetriableError extends PipelineError {
  constructor(
    message: string,
    options: { errorClass: ErrorClass; fieldPath?: string; cause?: unknown },
  ) {
    super(message, { ...options, retriable: false });
  }
}

/** Classifies anything thrown into a PipelineError (unknown errors are retriable). */
export function toPipelineError(err: unknown): PipelineError {
  if (err instanceof PipelineError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new RetriableError(message, { errorClass: 'unknown', cause: err });
}

export function assertNever(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value)}`);
}
