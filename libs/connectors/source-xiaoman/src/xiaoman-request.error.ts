import { SourceRequestError } from '@kingbridge/source-kit';

/** A failed Xiaoman request (kinds and retries: `SourceRequestError`, `SourceErrorKind` in @kingbridge/source-kit). */
export class XiaomanRequestError extends SourceRequestError {}
