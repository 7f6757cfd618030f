import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { RequestOutcome } from '../source-connector.port';
import { clampPageSize, SourceApi } from '../source-api.util';
import { SourceRequestError } from '../source-request.error';

class DemoRequestError extends SourceRequestError {}

const ids = { requestId: 'r1', endpoint: 'demo.list' };

function apiAnswering(status: number, body: string) {
  const calls: Array<{ endpoint: string; outcome: RequestOutcome }> = [];
  const api = new SourceApi(DemoRequestError, {
    baseUrl: 'http://demo.invalid/',
    timeoutMs: 1000,
    fetch: () => Promise.resolve(new Response(body, { status })),
    hooks: {
      afterRequest: (endpoint, outcome) => calls.push({ endpoint, outcome }),
    },
  });
  return { api, calls };
}

async function failure(
  call: () => Promise<unknown>,
): Promise<DemoRequestError> {
  const err: unknown = await call().catch((e: unknown) => e);
  if (!(err instanceof DemoRequestError))
    throw new Error(`not thrown: ${String(err)}`);
  return err;
}

describe('SourceApi', () => {
  it('should report ok to the hooks when the call returns', async () => {
    const { api, calls } = apiAnswering(200, '{"a":1}');
    const body = await api.withHooks('demo.list', undefined, async () =>
      api.json(await api.send({ path: '/x', method: 'GET' }, ids), ids),
    );
    expect(body).toEqual({ a: 1 });
    expect(calls).toEqual([{ endpoint: 'demo.list', outcome: 'ok' }]);
  });

  it("should report the request error's kind to the hooks when the call throws one", async () => {
    const { api, calls } = apiAnswering(429, '{}');
    const err = await failure(() =>
      api.withHooks('demo.list', undefined, () =>
        api.send({ path: '/x', method: 'GET' }, ids),
      ),
    );
    expect(err.kind).toBe('throttle');
    expect(calls.map((c) => c.outcome)).toEqual(['throttled']);
  });

  it('should name (root) when the body is not JSON', async () => {
    const { api } = apiAnswering(200, 'oops');
    const res = await api.send({ path: '/x', method: 'GET' }, ids);
    const err = await failure(async () => api.json(res, ids));
    expect([err.kind, err.fieldPath, err.message]).toEqual([
      'invalid_response',
      '(root)',
      'HTTP 200: body is not JSON (endpoint demo.list, request r1)',
    ]);
  });

  it('should name the field path under `at` when a value fails its schema', async () => {
    const { api } = apiAnswering(200, '{}');
    const schema = z.object({ items: z.array(z.object({ id: z.string() })) });
    const err = await failure(async () =>
      api.validate(schema, { items: [{ id: 1 }] }, ids, {
        at: 'data',
        what: 'page',
      }),
    );
    expect(err.fieldPath).toBe('data.items[0].id');
    expect(err.message).toMatch(/^invalid page: /);
  });

  it('should make a transient platform failure a retriable server_error when no class is given', () => {
    const { api } = apiAnswering(200, '{}');
    const err = api.error('transient', 'system busy', ids);
    expect(err).toBeInstanceOf(DemoRequestError);
    expect([err.errorClass, err.retriable]).toEqual(['server_error', true]);
    expect(api.error('auth', 'bad sign', ids).errorClass).toBe('auth');
  });

  it('should turn a modified time into ISO or name the field when it is not Beijing time', async () => {
    const { api } = apiAnswering(200, '{}');
    expect(api.modifiedAt('2026-12-01 08:00:00', ids, 'm', 'bad')).toBe(
      '2026-12-01T08:00:00+08:00',
    );
    const err = await failure(async () =>
      api.modifiedAt('yesterday', ids, 'list[2].modified', 'bad time'),
    );
    expect(err.fieldPath).toBe('list[2].modified');
  });

  it('should clamp a page size into 1..max with the fallback when none is asked', () => {
    expect([
      clampPageSize(undefined, 50),
      clampPageSize(500, 50),
      clampPageSize(0, 50),
      clampPageSize(undefined, 200, 100),
    ]).toEqual([50, 50, 1, 100]);
  });
});
