import { randomUUID } from 'node:crypto';

// The one HTTP round trip of every platform client lives in pipeline-core (the Kingdee clients use it too).
export {
  HttpTransportError,
  httpRequest,
  type FetchFn,
  type HttpRequest,
  type HttpResponse,
} from '@kingbridge/pipeline-core';

export function newRequestId(): string {
  return randomUUID();
}

/** Builds an `application/x-www-form-urlencoded` body. */
export function formBody(params: Readonly<Record<string, string>>): string {
  return new URLSearchParams(params).toString();
}
