import { PipelineError } from '@kingbridge/pipeline-core';
import {
  sourceRequestErrorBase,
  type SourceErrorKind,
} from '@kingbridge/source-kit';

/** See `SourceErrorKind` (@kingbridge/source-kit) for how each kind is handled. */
export type JackyunErrorKind = SourceErrorKind;

/** A failed Jackyun request, with the request id to find it in logs on both sides. */
export class JackyunRequestError extends sourceRequestErrorBase(
  PipelineError,
) {}
