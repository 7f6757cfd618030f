import { describe, expect, it } from 'vitest';
import { PipelineError } from '@kingbridge/pipeline-core';
import { SourceRequestError } from '../source-request.error';
import { requestOutcomeOf, sendSourceRequest } from '../source-request.util';

class DemoRequestError extends SourceRequestError {}

const ids = { requestId: 'r1', endpoint: 'demo.list' };
const req = {
  url: 'http://demo.invalid/x',
  method: 'POST' as const,
  timeoutMs: 1000,
};

function respond(status: number, headers: Record<string, string> = {}) {
  return () => Promise.resolve(new Response('{}', { status, headers }));
}

async function failureOf(fetchFn: typeof fetch): Promise<DemoRequestError> {
  const err: unknown = await sendSourceRequest(
    DemoRequestError,
    fetchFn,
    req,
    ids,
  ).catch((e: unknown) => e);
  if (!(err instanceof DemoRequestError))
    throw new Error(`not a DemoRequestError: ${String(err)}`);
  return err;
}

describe('sendSourceRequest', () => {
  it('should turn 429 into a retriable throttle error carrying Retry-After', async () => {
    const err = await failureOf(respond(429, { 'retry-after': '2' }));
    expect(err).toBeInstanceOf(PipelineError);
    expect(err.name).toBe('DemoRequestError');
    expect([err.kind, err.errorClass, err.retriable, err.retryAfterMs]).toEqual(
      ['throttle', 'throttled', true, 2000],
    );
    expect(err.message).toBe('HTTP 429 (endpoint demo.list, request r1)');
    expect(requestOutcomeOf(err.kind)).toBe('throttled');
  });

  it('should turn 5xx into a transient server_error and a network failure into a transient network error', async () => {
    const server = await failureOf(respond(503));
    expect([server.kind, server.errorClass]).toEqual([
      'transient',
      'server_error',
    ]);
    const network = await failureOf(() =>
      Promise.reject(new TypeError('fetch failed')),
    );
    expect([network.kind, network.errorClass, network.retriable]).toEqual([
      'transient',
      'network',
      true,
    ]);
  });

  it('should return 2xx and 4xx responses for the platform to interpret', async () => {
    expect(
      (await sendSourceRequest(DemoRequestError, respond(401), req, ids))
        .status,
    ).toBe(401);
    const rejected = new DemoRequestError('rejected', 'bad param', ids);
    expect([
      rejected.errorClass,
      rejected.retriable,
      rejected.narrowWindow,
    ]).toEqual(['validation', false, false]);
  });
});
