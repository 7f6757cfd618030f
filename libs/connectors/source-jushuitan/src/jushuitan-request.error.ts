import { SourceRequestError } from '@kingbridge/source-kit';

/** A failed Jushuitan request (kinds and retries: `SourceRequestError`, `SourceErrorKind` in @kingbridge/source-kit). */
export class JushuitanRequestError extends SourceRequestError {}
