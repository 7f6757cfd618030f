import type { ErrorClass } from '@kingbridge/contracts';

/**
 * How a failed request is handled by the runtime:
 * - `throttle`: back off with jitter, lower the rate, retry;
 * - `auth`: invalid credentials, stop the stream (no retry loop);
 * - `transient`: network, 5xx, timeout: retried with backoff;
 * - `invalid_response`: the body failed validation: the window fails and is retried later;
 * - `rejected`: the platform refused the query (parameters): the window fails.
 */
export type SourceErrorKind =
  'throttle' | 'auth' | 'transient' | 'invalid_response' | 'rejected';

export const SOURCE_ERROR_CLASS: Readonly<Record<SourceErrorKind, ErrorClass>> =
  {
    throttle: 'throttled',
    auth: 'auth',
    transient: 'network',
    invalid_response: 'bad_response',
    rejected: 'validation',
  };

export interface SourceRequestErrorDetails {
  requestId: string;
  endpoint: string;
  errorClass?: ErrorClass;
  fieldPath?: string;
  retryAfterMs?: number;
  narrowWindow?: boolean;
  cause?: unknown;
}

/** The shape of `PipelineError` (pipeline-core), which a `type:core` lib may not import. */
export interface PipelineErrorLike extends Error {
  readonly errorClass: ErrorClass;
  readonly retriable: boolean;
  readonly fieldPath: string | undefined;
}

export type PipelineErrorConstructor = new (
  message: string,
  options: {
    errorClass: ErrorClass;
    retriable: boolean;
    fieldPath?: string;
    cause?: unknown;
  },
) => PipelineErrorLike;

export interface SourceRequestErrorInstance extends PipelineErrorLike {
  readonly kind: SourceErrorKind;
  readonly requestId: string;
  readonly endpoint: string;
  readonly retryAfterMs: number | undefined;
  /** The query should be retried over a smaller window (e.g. a lost scroll cursor). */
  readonly narrowWindow: boolean;
}

export type SourceRequestErrorConstructor = new (
  kind: SourceErrorKind,
  message: string,
  details: SourceRequestErrorDetails,
) => SourceRequestErrorInstance;

export function isRetriableKind(kind: SourceErrorKind): boolean {
  return (
    kind === 'throttle' || kind === 'transient' || kind === 'invalid_response'
  );
}

/**
 * The base class of a platform's request error, built on the given `PipelineError` class
 * (so `instanceof PipelineError` holds): `class WdtRequestError extends sourceRequestErrorBase(PipelineError) {}`.
 * The error's name is the subclass name.
 */
export function sourceRequestErrorBase(
  Base: PipelineErrorConstructor,
): SourceRequestErrorConstructor {
  return class SourceRequestError
    extends Base
    implements SourceRequestErrorInstance
  {
    readonly kind: SourceErrorKind;
    readonly requestId: string;
    readonly endpoint: string;
    readonly retryAfterMs: number | undefined;
    readonly narrowWindow: boolean;

    constructor(
      kind: SourceErrorKind,
      message: string,
      details: SourceRequestErrorDetails,
    ) {
      super(
        `${message} (endpoint ${details.endpoint}, request ${details.requestId})`,
        {
          errorClass: details.errorClass ?? SOURCE_ERROR_CLASS[kind],
          retriable: isRetriableKind(kind),
          fieldPath: details.fieldPath,
          cause: details.cause,
        },
      );
      this.name = new.target.name;
      this.kind = kind;
      this.requestId = details.requestId;
      this.endpoint = details.endpoint;
      this.retryAfterMs = details.retryAfterMs;
      this.narrowWindow = details.narrowWindow ?? false;
    }
  };
}
