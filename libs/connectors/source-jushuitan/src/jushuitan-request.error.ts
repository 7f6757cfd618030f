import { PipelineError } from '@kingbridge/pipeline-core';
import {
  sourceRequestErrorBase,
  type SourceErrorKind,
} from '@kingbridge/source-kit';

/** See `SourceErrorKind` (@kingbridge/source-kit) for how each kind is handled. */
export type JushuitanErrorKind = SourceErrorKind;

/** A failed Jushuitan request, with the request id to find it in logs on both sides. */
export class JushuitanRequestError extends sourceRequestErrorBase(
  PipelineError,
) {}
