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

interface Run {
  child: ChildProcess;
  output: () => string;
  done: Promise<number | null>;
}

function backfill(args: string[], env: Record<string, string>): Run {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', resolve(ROOT, 'scripts/backfill.ts'), ...args],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let text = '';
  child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
  const done = new Promise<number | null>((r) =>
    child.once('exit', (code) => r(code)),
  );
  return { child, output: () => text, done };
}

describe('backfill CLI', () => {
  let sim: JackyunSim;
  let db: pg.Client;
  const streamId = uniqueStreamId('jackyun', 'sales-order');
  let env: Record<string, string>;
  const from = new Date(Date.now() - 8 * 86_400_000);
  const to = new Date();
  const args = () => [
    '--connector',
    'jackyun',
    '--stream',
    streamId,
    '--from',
    from.toISOString(),
    '--to',
    to.toISOString(),
  ];

  beforeAll(async () => {
    sim = await startTestJackyun({
      initialRecords: 200,
      rateLimit: { perSecond: 0 },
    });
    env = connectorEnv(
      'jackyun',
      sim.url,
      [
        {
          id: streamId,
          platform: 'jackyun',
          entity: 'sales-order',
          pageSize: 10,
          maxWindowMinutes: 1440,
        },
      ],
      {
        JACKYUN_RATE_LIMIT: '10/1s',
      },
    );
    db = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await sim?.close();
    await deleteStreamState([streamId]);
  });

  const job = async () =>
    (
      await db.query(
        'SELECT windows_done, windows_total, status FROM source_connector.backfill_job WHERE stream_id = $1',
        [streamId],
      )
    ).rows[0] as
      | { windows_done: number; windows_total: number; status: string }
      | undefined;

  it('should stop on Ctrl-C and resume where it stopped when run again', async () => {
    const first = backfill(args(), env);
    await pollUntil(async () => ((await job())?.windows_done ?? 0) >= 2, {
      timeoutMs: 30_000,
      description: 'two windows backfilled',
    });
    first.child.kill('SIGINT');
    expect(await first.done).toBe(130);
    expect(first.output()).toMatch(/interrupted: finishing the current page/);
    expect(first.output()).toMatch(
      /backfill: \d+\/8 windows \| \d+ records \| [\d.]+ rec\/s \| ETA/,
    );
    const stoppedAt = (await job())!;
    expect(stoppedAt.status).toBe('running');
    expect(stoppedAt.windows_done).toBeLessThan(8);

    const second = backfill(args(), env);
    expect(await second.done).toBe(0);
    expect(second.output()).toContain(
      `backfill: ${stoppedAt.windows_done}/8 windows`,
    );
    expect(second.output()).toMatch(/backfill done/);
    expect(await job()).toMatchObject({
      windows_done: 8,
      windows_total: 8,
      status: 'done',
    });

    const topic = `${env['RAW_TOPIC_PREFIX']}${rawTopic('jackyun', 'sales-order')}`;
    const total = (
      await testKafkaConnection().admin.fetchHighWatermarks(topic)
    ).reduce((n, p) => n + Number(p.offset), 0);
    const latest = latestBySourceId(await readRawRecords(topic, total));
    const held = latestTrades(sim);
    expect(latest.size).toBe(held.size);
    for (const [id, trade] of held)
      expect(latest.get(id)?.payload).toEqual(tradeOnTheWire(trade));
  });
});
