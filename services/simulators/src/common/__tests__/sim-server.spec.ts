import { pollUntil } from '@kingbridge/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FaultInjector,
  RequestLog,
  startSimServer,
  type FaultConfigInput,
  type RunningSimServer,
  type ServerLimits,
  type SimResult,
} from '..';

/** A minimal platform on the one stack: counts what it handled, answers `{ok: n}`. */
async function start(
  faults: FaultConfigInput,
  limits?: ServerLimits,
): Promise<{ server: RunningSimServer; handled: () => number }> {
  let handled = 0;
  const fail = (): SimResult => ({
    status: 200,
    body: { error: 'platform error' },
    outcome: 'rejected',
  });
  const server = await startSimServer({
    name: 'test',
    clock: Date.now,
    faults: new FaultInjector(faults),
    log: new RequestLog(),
    adminEnabled: true,
    endpointOf: (req) => req.path,
    handle: () => ({ status: 200, body: { ok: ++handled } }),
    platformError: fail,
    overLimit: () => ({ status: 429, body: { error: 'over limit' } }),
    ...(limits ? { limits } : {}),
  });
  started.push(server);
  return { server, handled: () => handled };
}

const started: RunningSimServer[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

describe('the simulator http stack (one server, faults as middleware)', () => {
  it('should fire queued faults on matching paths only, after the skipped ones, then answer normally', async () => {
    const { server } = await start({
      queue: [{ fault: 'http-5xx', pathContains: 'save', skip: 1, count: 2 }],
    });
    const status = async (path: string): Promise<number> =>
      (await fetch(`${server.url}${path}`, { method: 'POST' })).status;
    expect(await status('/query')).toBe(200);
    expect(await status('/save')).toBe(200);
    expect([500, 502, 503]).toContain(await status('/save'));
    expect([500, 502, 503]).toContain(await status('/Save'));
    expect(await status('/save')).toBe(200);
    expect(server.stats().faults['http-5xx']).toBe(2);
  });

  it('should carry out a request whose answer it then loses, and log the answer it dropped', async () => {
    const { server, handled } = await start({ lostResponseRate: 1 });
    await expect(fetch(`${server.url}/save`)).rejects.toThrow();
    expect(handled()).toBe(1);
    expect(server.stats().faults['lost-response']).toBe(1);
    const log = (await (
      await fetch(`${server.url}/__admin/requests`)
    ).json()) as Array<{ fault?: string; status: number }>;
    expect(log).toMatchObject([{ fault: 'lost-response', status: 200 }]);
  });

  it('should answer over the concurrency limit with the platform over-limit answer, without a slot', async () => {
    const { server, handled } = await start(
      { queue: [{ fault: 'hang' }] },
      { maxConcurrent: 1 },
    );
    const abort = new AbortController();
    const held = fetch(`${server.url}/a`, { signal: abort.signal }).catch(
      () => 'aborted',
    );
    await pollUntil(() => server.stats().inFlight === 1, { intervalMs: 5 });
    const busy = await fetch(`${server.url}/b`);
    expect(busy.status).toBe(429);
    abort.abort();
    expect(await held).toBe('aborted');
    await pollUntil(() => server.stats().inFlight === 0, { intervalMs: 5 });
    expect((await fetch(`${server.url}/c`)).status).toBe(200);
    expect(handled()).toBe(1);
    expect(server.stats()).toMatchObject({
      rejectedOverLimit: 1,
      maxConcurrent: 1,
      faults: { hang: 1 },
    });
  });

  it('should garble handled answers (HTTP 200) and send every answer with its length', async () => {
    const { server, handled } = await start({ garbageRate: 1, seed: 3 });
    for (let i = 0; i < 6; i += 1) {
      const res = await fetch(`${server.url}/q`);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(res.headers.get('content-length')).toBe(
        String(Buffer.byteLength(text)),
      );
      expect(() => JSON.parse(text) as unknown).toThrow();
    }
    expect(handled()).toBe(6);
  });

  it('should merge a posted fault config, refuse an invalid one with its issues, and report both counters', async () => {
    const { server } = await start({});
    const post = (body: unknown): Promise<Response> =>
      fetch(`${server.url}/__admin/faults`, {
        method: 'POST',
        body: JSON.stringify(body),
      });
    expect(await (await post({ errorRate: 0.5 })).json()).toMatchObject({
      errorRate: 0.5,
      seed: 1,
    });
    const bad = await post({ errorRate: 2 });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      error: 'invalid fault config',
      issues: [{ path: ['errorRate'] }],
    });
    await fetch(`${server.url}/x`);
    expect(
      await (await fetch(`${server.url}/__admin/stats`)).json(),
    ).toMatchObject({ total: 1, requests: 1, byPath: { '/x': 1 } });
  });
});
