import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { pollUntil } from '@kingbridge/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { SinkHarness, outstockDocument, sinkEnv } from './sink.harness';

const ROOT = resolve(__dirname, '../../../..');
const MAIN = resolve(ROOT, 'services/sink-kingdee/src/main.ts');

function startSinkProcess(env: Record<string, string>): ChildProcess {
  // node itself with the tsx loader (not the tsx CLI, which would run the sink in a grandchild
  // that SIGKILL would not reach).
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
  });
}

describe('sink-kingdee crash recovery', () => {
  let h: SinkHarness | undefined;
  let child: ChildProcess | undefined;
  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited(child);
    }
    await h?.close();
    h = undefined;
  });

  it('should write every document exactly once when the sink is killed mid-batch and restarted', async () => {
    h = await SinkHarness.create({
      faults: { latency: { kind: 'fixed', ms: 150 } },
    });
    await h.ensureTopics();
    const env = sinkEnv(h.sim, {
      TOPIC_PREFIX: h.config.TOPIC_PREFIX,
      SINK_GROUP_ID: h.config.SINK_GROUP_ID,
      K3CLOUD_CONCURRENCY: '2',
      SINK_LINGER_MS: '20',
      // The killed member holds its partitions until its session times out.
      SINK_SESSION_TIMEOUT_MS: '6000',
    });
    const docs = Array.from({ length: 60 }, (_, i) =>
      outstockDocument(h!.flow, i, { rows: 5 }),
    );
    await h.produce(docs);

    child = startSinkProcess(env);
    await pollUntil(() => h!.bills().length >= 10, {
      timeoutMs: 40_000,
      description: 'first writes',
    });
    child.kill('SIGKILL');
    await exited(child);
    const atKill = h.bills().length;
    expect(atKill).toBeLessThan(60);
    const db = await h.database();
    const [inFlight] = (await db.query(
      `SELECT count(*)::int AS n FROM sink_kingdee.ledger WHERE flow = $1 AND state = 'sending'`,
      [h.flow],
    )) as Array<{ n: number }>;
    // Killed mid-batch: some documents were marked as being sent without a recorded outcome.
    expect(inFlight?.n).toBeGreaterThan(0);

    child = startSinkProcess(env);
    await pollUntil(() => h!.bills().length === 60, {
      timeoutMs: 60_000,
      description: 'all 60 bills after restart',
    });
    await pollUntil(
      async () => {
        const [row] = (await db.query(
          `SELECT count(*)::int AS n FROM sink_kingdee.ledger WHERE flow = $1 AND state = 'written'`,
          [h!.flow],
        )) as Array<{ n: number }>;
        return row?.n === 60;
      },
      { timeoutMs: 30_000, description: 'ledger: 60 written' },
    );

    const bills = h.bills();
    expect(bills.map((b) => b.billNo).sort()).toEqual(
      docs.map((d) => d.billNo).sort(),
    );
    expect(bills.filter((b) => b.writeCount !== 1)).toEqual([]);
  });
});
