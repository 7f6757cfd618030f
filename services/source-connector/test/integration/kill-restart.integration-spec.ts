import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { rawTopic } from '@kingbridge/source-registry';
import { pollUntil, testKafkaConnection } from '@kingbridge/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  latestTrades,
  startTestJackyun,
  tradeOnTheWire,
  type JackyunSim,
} from './jackyun-fixtures';
import {
  connectorEnv,
  deleteStreamState,
  latestBySourceId,
  readRawRecords,
  TEST_DATABASE_URL,
  uniqueStreamId,
} from './source-connector.harness';

const ROOT = resolve(__dirname, '../../../..');
const MAIN = resolve(ROOT, 'services/source-connector/src/main.ts');

function startConnectorProcess(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.resume();
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
  });
}

describe('kill the connector mid-window, restart', () => {
  let sim: JackyunSim;
  let db: pg.Client;
  let child: ChildProcess | undefined;
  const streamId = uniqueStreamId('jackyun', 'sales-order');
  let env: Record<string, string>;

  beforeAll(async () => {
    sim = await startTestJackyun({
      initialRecords: 300,
      rateLimit: { perSecond: 0 },
    });
    const startFrom = new Date(Date.now() - 8 * 86_400_000).toISOString();
    env = connectorEnv(
      'jackyun',
      sim.url,
      [
        {
          id: streamId,
          platform: 'jackyun',
          entity: 'sales-order',
          pageSize: 20,
          startFrom,
        },
      ],
      {
        JACKYUN_RATE_LIMIT: '8/1s',
        POLL_INTERVAL_MS: '300',
      },
    );
    db = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
    await db?.end();
    await sim?.close();
    await deleteStreamState([streamId]);
  });

  const published = async (): Promise<number> =>
    Number(
      (
        await db.query(
          'SELECT count(*) AS n FROM source_connector.record_state WHERE stream_id = $1',
          [streamId],
        )
      ).rows[0].n,
    );
  const checkpoint = async (): Promise<Date | undefined> => {
    const rows = (
      await db.query(
        'SELECT checkpoint_at FROM source_connector.stream_checkpoint WHERE stream_id = $1',
        [streamId],
      )
    ).rows;
    return rows[0] ? new Date(rows[0].checkpoint_at) : undefined;
  };

  it('should lose nothing when the process is SIGKILLed in the middle of a window', async () => {
    const startedAt = Date.now();
    child = startConnectorProcess(env);
    // Part of the first window is published, and its checkpoint not yet written.
    await pollUntil(async () => (await published()) >= 40, {
      timeoutMs: 30_000,
      description: 'first records published',
    });
    // Killed before the run reached the end of the range (a failed window may have left a 1970 placeholder row).
    expect((await checkpoint())?.getTime() ?? 0).toBeLessThan(startedAt - 1000);
    child.kill('SIGKILL');
    await exited(child);
    const beforeRestart = await published();
    expect(beforeRestart).toBeLessThan(300);

    child = startConnectorProcess(env);
    await pollUntil(
      async () => ((await checkpoint())?.getTime() ?? 0) >= startedAt - 1000,
      {
        timeoutMs: 40_000,
        description: 'checkpoint at the end of the range after restart',
      },
    );
    child.kill('SIGTERM');
    await exited(child);

    const topic = `${env['RAW_TOPIC_PREFIX']}${rawTopic('jackyun', 'sales-order')}`;
    const marks = await testKafkaConnection().admin.fetchHighWatermarks(topic);
    const total = marks.reduce((n, p) => n + Number(p.offset), 0);
    const latest = latestBySourceId(await readRawRecords(topic, total));
    const held = latestTrades(sim);
    expect(latest.size).toBe(held.size);
    for (const [id, trade] of held)
      expect(latest.get(id)?.payload).toEqual(tradeOnTheWire(trade));
  });
});
