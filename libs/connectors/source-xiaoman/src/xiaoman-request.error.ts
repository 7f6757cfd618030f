import { PipelineError } from '@kingbridge/pipeline-core';
import {
  sourceRequestErrorBase,
  type SourceErrorKind,
} from '@kingbridge/source-kit';

/** See `SourceErrorKind` (@kingbridge/source-kit) for how each kind is handled. */
export type XiaomanErrorKind = SourceErrorKind;

/** A failed Xiaoman request, with the request id to find it in logs on both sides. */
export class XiaomanRequestError extends sourceRequestErrorBase(
  PipelineError,
) {}
