import type { ErrorClass } from '@kingbridge/contracts';
import { PipelineError } from '@kingbridge/pipeline-core';
import type { SourceErrorKind } from '@kingbridge/source-kit';

/** How the runtime treats a failure: the connectors' request error kinds, or the stream's own abort. */
export type SourceFailureKind = SourceErrorKind | 'aborted';

interface ConnectorErrorShape {
  kind?: unknown;
  errorClass?: unknown;
  retryAfterMs?: unknown;
  requestId?: unknown;
  fieldPath?: unknown;
  narrowWindow?: unknown;
}

/** Classifies anything a connector threw (duck-typed: connectors cannot import this lib). */
export function sourceErrorKind(
  err: unknown,
  signal?: AbortSignal,
): SourceFailureKind {
  if (signal?.aborted) return 'aborted';
  const e = (err ?? {}) as ConnectorErrorShape;
  switch (e.kind) {
    case 'throttle':
    case 'auth':
    case 'transient':
    case 'invalid_response':
    case 'rejected':
      return e.kind;
  }
  switch (e.errorClass) {
    case 'throttled':
      return 'throttle';
    case 'auth':
      return 'auth';
    case 'bad_response':
    case 'schema':
      return 'invalid_response';
    case 'validation':
      return 'rejected';
  }
  return 'transient';
}

export function errorClassOf(err: unknown): ErrorClass {
  if (err instanceof PipelineError) return err.errorClass;
  const c = (err as ConnectorErrorShape | undefined)?.errorClass;
  return typeof c === 'string' ? (c as ErrorClass) : 'unknown';
}

export function retryAfterOf(err: unknown): number | undefined {
  const v = (err as ConnectorErrorShape | undefined)?.retryAfterMs;
  return typeof v === 'number' ? v : undefined;
}

/** Context fields worth logging for a connector error. */
export function errorLogFields(err: unknown): Record<string, unknown> {
  const e = (err ?? {}) as ConnectorErrorShape;
  return {
    err: err instanceof Error ? err.message : String(err),
    errorClass: errorClassOf(err),
    ...(typeof e.requestId === 'string' ? { requestId: e.requestId } : {}),
    ...(typeof e.fieldPath === 'string' ? { fieldPath: e.fieldPath } : {}),
  };
}

export function wantsNarrowerWindow(err: unknown): boolean {
  return (err as ConnectorErrorShape | undefined)?.narrowWindow === true;
}

/** A window whose totals kept changing even after re-scans and splits. */
export class PageDriftError extends PipelineError {
  constructor(message: string) {
    super(message, { errorClass: 'bad_response', retriable: true });
  }
}

/** The stream cannot run with these credentials; it stays stopped until restart. */
export class StreamStoppedError extends PipelineError {
  constructor(message: string, cause?: unknown) {
    super(message, { errorClass: 'auth', retriable: false, cause });
  }
}
