import { SourceRequestError } from '@kingbridge/source-kit';

/** A failed Wdt request (kinds and retries: `SourceRequestError`, `SourceErrorKind` in @kingbridge/source-kit). */
export class WdtRequestError extends SourceRequestError {}
