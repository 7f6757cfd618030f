import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { pollUntil } from '@kingbridge/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestJackyun, type JackyunSim } from './jackyun-fixtures';
import {
  connectorEnv,
  deleteStreamState,
  uniqueStreamId,
} from './source-connector.harness';

/*
 * Two connector processes for the same stream (a rollout overlap, a manual
 * run next to the deployment): the second waits on the stream's advisory lock
 * and sends no request to the platform until the first one stops.
 */

const ROOT = resolve(__dirname, '../../../..');
const MAIN = resolve(ROOT, 'services/source-connector/src/main.ts');

/** A counting pass-through in front of the simulator: one per process, so each one's requests are seen. */
async function countingProxy(
  target: string,
): Promise<{ url: string; count: () => number; server: Server }> {
  let count = 0;
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    count++;
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    count: () => count,
    server,
  };
}

interface Connector {
  readonly child: ChildProcess;
  output: string;
}

function startConnector(env: Record<string, string>): Connector {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const c: Connector = { child, output: '' };
  child.stdout?.on('data', (d: Buffer) => (c.output += d.toString('utf8')));
  child.stderr?.resume();
  return c;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
  });
}

describe('connectors single-active: one poller per stream across processes', () => {
  let sim: JackyunSim;
  const streamId = uniqueStreamId('jackyun', 'sales-order');
  const proxies: Awaited<ReturnType<typeof countingProxy>>[] = [];
  const connectors: Connector[] = [];

  beforeAll(async () => {
    sim = await startTestJackyun({
      initialRecords: 20,
      rateLimit: { perSecond: 0 },
    });
    proxies.push(await countingProxy(sim.url), await countingProxy(sim.url));
  });

  afterAll(async () => {
    for (const c of connectors) {
      if (c.child.exitCode === null && c.child.signalCode === null)
        c.child.kill('SIGKILL');
      await exited(c.child);
    }
    for (const p of proxies) p.server.close();
    await sim?.close();
    await deleteStreamState([streamId]);
  });

  it('should make a second process for the same stream wait until the first stops, then take over', async () => {
    const [a, b] = proxies as [(typeof proxies)[0], (typeof proxies)[0]];
    const envFor = (baseUrl: string) =>
      connectorEnv(
        'jackyun',
        baseUrl,
        [
          {
            id: streamId,
            platform: 'jackyun',
            entity: 'sales-order',
            pageSize: 50,
          },
        ],
        {
          JACKYUN_RATE_LIMIT: '20/1s',
          POLL_INTERVAL_MS: '200',
          LOG_LEVEL: 'info',
        },
      );
    const first = startConnector(envFor(a.url));
    connectors.push(first);
    await pollUntil(() => a.count() > 0, {
      timeoutMs: 30_000,
      description: 'first process polls',
    });

    const second = startConnector(envFor(b.url));
    connectors.push(second);
    await pollUntil(
      () => second.output.includes('stream lock held by another process'),
      {
        timeoutMs: 30_000,
        description: 'second process waits for the lock',
      },
    );
    // The first keeps polling meanwhile (several more runs), the second sends nothing.
    const before = a.count();
    await pollUntil(() => a.count() >= before + 5, {
      timeoutMs: 30_000,
      description: 'first process polls on',
    });
    expect(b.count()).toBe(0);

    first.child.kill('SIGTERM');
    await exited(first.child);
    await pollUntil(() => b.count() > 0, {
      timeoutMs: 30_000,
      description: 'second process takes over',
    });
    expect(second.output).toContain('stream lock acquired');
  });
});
