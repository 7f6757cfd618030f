import { SourceRequestError } from '@kingbridge/source-kit';

/** A failed Jackyun request (kinds and retries: `SourceRequestError`, `SourceErrorKind` in @kingbridge/source-kit). */
export class JackyunRequestError extends SourceRequestError {}
