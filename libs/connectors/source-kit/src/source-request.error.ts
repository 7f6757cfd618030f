import type { ErrorClass } from '@kingbridge/contracts';
import { PipelineError } from '@kingbridge/pipeline-core';

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

/** The constructor a client hands to the request helpers (its own `SourceRequestError` subclass). */
export type SourceRequestErrorConstructor = new (
  kind: SourceErrorKind,
  message: string,
  details: SourceRequestErrorDetails,
) => SourceRequestError;

export function isRetriableKind(kind: SourceErrorKind): boolean {
  return (
    kind === 'throttle' || kind === 'transient' || kind === 'invalid_response'
  );
}

/**
 * A failed source request (a `PipelineError`: retriable by kind), with the request id to find it in logs on both
 * sides. Each platform names its own: `class WdtRequestError extends SourceRequestError {}`.
 */
export class SourceRequestError extends PipelineError {
  readonly kind: SourceErrorKind;
  readonly requestId: string;
  readonly endpoint: string;
  readonly retryAfterMs: number | undefined;
  /** The query should be retried over a smaller window (e.g. a lost scroll cursor). */
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
    this.kind = kind;
    this.requestId = details.requestId;
    this.endpoint = details.endpoint;
    this.retryAfterMs = details.retryAfterMs;
    this.narrowWindow = details.narrowWindow ?? false;
  }
}
