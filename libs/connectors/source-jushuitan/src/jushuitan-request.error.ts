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
export type JushuitanErrorKind =
  'throttle' | 'auth' | 'transient' | 'invalid_response' | 'rejected';

const ERROR_CLASS: Record<JushuitanErrorKind, ErrorClass> = {
  throttle: 'throttled',
  auth: 'auth',
  transient: 'network',
  invalid_response: 'bad_response',
  rejected: 'validation',
};

/** A failed Jushuitan request, with the request id to find it in logs on both sides. */
export class JushuitanRequestError extends PipelineError {
  readonly kind: JushuitanErrorKind;
  readonly requestId: string;
  readonly endpoint: string;
  readonly retryAfterMs: number | undefined;
  /** The query should be retried over a smaller window (e.g. a lost scroll cursor). */
  readonly narrowWindow: boolean;

  constructor(
    kind: JushuitanErrorKind,
    message: string,
    details: {
      requestId: string;
      endpoint: string;
      errorClass?: ErrorClass;
      fieldPath?: string;
      retryAfterMs?: number;
      narrowWindow?: boolean;
      cause?: unknown;
    },
  ) {
    super(
      `${message} (endpoint ${details.endpoint}, request ${details.requestId})`,
      {
        errorClass: details.errorClass ?? ERROR_CLASS[kind],
        retriable:
          kind === 'throttle' ||
          kind === 'transient' ||
          kind === 'invalid_response',
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
