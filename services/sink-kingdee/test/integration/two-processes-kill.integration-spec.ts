import type { ChildProcess } from 'node:child_process';
import { pollUntil, testKafkaConnection } from '@kingbridge/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { SinkHarness, outstockDocument } from './sink.harness';
import {
  killNow,
  processEnv,
  startSinkProcess,
  stopProcess,
  unansweredBatchSaves,
} from './sink-process.util';

const DOCS = 150;

describe('sink-kingdee: two processes, one killed with -9 while its batches are in flight', () => {
  let h: SinkHarness | undefined;
  const children: ChildProcess[] = [];
  afterEach(async () => {
    await Promise.all(children.map((c) => stopProcess(c)));
    children.length = 0;
    await h?.close();
    h = undefined;
  });

  it('should write every document exactly once: the survivor takes the partitions over and settles the killed one’s writes', async () => {
    let killed: ChildProcess | undefined;
    let acceptedAtKill: string[] = [];
    // Every request takes 150 ms; the 5th and 6th BatchSave are stored but never answered.
    h = await SinkHarness.create(
      unansweredBatchSaves({ latencyMs: 150, skip: 4, count: 2 }),
      {},
      {
        afterHandle: async ({ fault }) => {
          if (fault !== 'lost-response' || killed) return;
          // The first stored-but-unanswered batch: one of the two processes dies now, mid-stream, with its
          // own requests in flight (each process has K3CLOUD_CONCURRENCY of them open at the 150 ms latency).
          killed = children[0];
          acceptedAtKill = h!.bills().map((b) => b.billNo);
          await killNow(killed);
        },
      },
    );
    await h.ensureTopics();
    const env = processEnv(h, {
      K3CLOUD_CONCURRENCY: '2',
      SINK_LINGER_MS: '20',
      KINGDEE_TIMEOUT_MS: '4000',
      SINK_IN_FLIGHT_GRACE_MS: '2000',
    });
    children.push(startSinkProcess(env), startSinkProcess(env));
    const admin = testKafkaConnection().admin;
    await pollUntil(
      async () =>
        (await admin.describeGroupMembers(h!.config.SINK_GROUP_ID)) === 2,
      { timeoutMs: 60_000, description: 'both sink processes in the group' },
    );
    const docs = Array.from({ length: DOCS }, (_, i) =>
      outstockDocument(h!.flow, i, { rows: 5 }),
    );
    await h.produce(docs);

    await pollUntil(() => killed !== undefined && killed.signalCode !== null, {
      timeoutMs: 60_000,
      description: 'the first process killed at the first unanswered batch',
    });
    expect(killed?.signalCode).toBe('SIGKILL');
    // Killed mid-stream: some documents were in Kingdee, far from all.
    expect(acceptedAtKill.length).toBeGreaterThan(0);
    expect(acceptedAtKill.length).toBeLessThan(DOCS);

    const db = await h.database();
    await pollUntil(
      async () => {
        const [row] = (await db.query(
          `SELECT count(*)::int AS n FROM sink_kingdee.ledger WHERE flow = $1 AND state = 'written'`,
          [h!.flow],
        )) as Array<{ n: number }>;
        return row?.n === DOCS;
      },
      { timeoutMs: 120_000, description: `ledger: ${DOCS} written` },
    );
    // The survivor alone finished the work: the killed process's partitions moved to it.
    expect(children[1]?.exitCode).toBeNull();
    const bills = h.bills();
    expect(bills.map((b) => b.billNo).sort()).toEqual(
      docs.map((d) => d.billNo).sort(),
    );
    expect(bills.filter((b) => b.writeCount !== 1)).toEqual([]);
  }, 300_000);
});
