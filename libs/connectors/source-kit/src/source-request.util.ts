import {
  type FetchFn,
  type HttpRequest,
  type HttpResponse,
  HttpTransportError,
  httpRequest,
} from './http.util';
import type { RequestOutcome } from './source-connector.port';
import type {
  SourceErrorKind,
  SourceRequestErrorConstructor,
} from './source-request.error';

/** The hooks' outcome label of a failed request of the given kind. */
export function requestOutcomeOf(kind: SourceErrorKind): RequestOutcome {
  switch (kind) {
    case 'throttle':
      return 'throttled';
    case 'auth':
      return 'auth_error';
    case 'invalid_response':
      return 'invalid_response';
    case 'transient':
    case 'rejected':
      return 'error';
  }
}

/**
 * One HTTP round trip whose transport failures, 429 and 5xx become the platform's
 * request error (`transient` / `throttle` / `transient` with `server_error`).
 */
export async function sendSourceRequest(
  RequestError: SourceRequestErrorConstructor,
  fetchFn: FetchFn,
  req: HttpRequest,
  ids: { readonly requestId: string; readonly endpoint: string },
): Promise<HttpResponse> {
  const { requestId, endpoint } = ids;
  let res: HttpResponse;
  try {
    res = await httpRequest(fetchFn, req);
  } catch (err) {
    if (err instanceof HttpTransportError) {
      throw new RequestError('transient', err.message, {
        requestId,
        endpoint,
        errorClass: err.errorClass,
        cause: err,
      });
    }
    throw err;
  }
  if (res.status === 429) {
    throw new RequestError('throttle', 'HTTP 429', {
      requestId,
      endpoint,
      retryAfterMs: res.retryAfterMs,
    });
  }
  if (res.status >= 500) {
    throw new RequestError('transient', `HTTP ${res.status}`, {
      requestId,
      endpoint,
      errorClass: 'server_error',
    });
  }
  return res;
}
