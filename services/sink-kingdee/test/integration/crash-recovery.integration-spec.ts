import type { ChildProcess } from 'node:child_process';
import { pollUntil } from '@kingbridge/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { SinkHarness, outstockDocument } from './sink.harness';
import {
  exited,
  killNow,
  processEnv,
  startSinkProcess,
  stopProcess,
  unansweredBatchSaves,
} from './sink-process.util';

describe('sink-kingdee crash recovery', () => {
  let h: SinkHarness | undefined;
  let child: ChildProcess | undefined;
  afterEach(async () => {
    await stopProcess(child);
    await h?.close();
    h = undefined;
  });

  it('should write every document exactly once when Kingdee accepted a batch and the sink died before recording it', async () => {
    // The 4th BatchSave is stored, then the sink is killed before it hears the answer.
    h = await SinkHarness.create(
      unansweredBatchSaves({ latencyMs: 50, skip: 3, count: 1 }),
      {},
      {
        afterHandle: async ({ fault }) => {
          if (fault === 'lost-response') await killNow(child);
        },
      },
    );
    await h.ensureTopics();
    const env = processEnv(h, {
      K3CLOUD_CONCURRENCY: '1',
      SINK_LINGER_MS: '20',
    });
    const docs = Array.from({ length: 60 }, (_, i) =>
      outstockDocument(h!.flow, i, { rows: 5 }),
    );
    await h.produce(docs);

    child = startSinkProcess(env);
    await pollUntil(() => h!.sim.stats().faults['lost-response'] === 1, {
      timeoutMs: 40_000,
      description: 'the 4th BatchSave stored and its answer lost',
    });
    await exited(child);
    const atKill = h.bills();
    expect(atKill.length).toBeGreaterThan(0);
    expect(atKill.length).toBeLessThan(60);
    const db = await h.database();
    const sending = (await db.query(
      `SELECT bill_no FROM sink_kingdee.ledger WHERE flow = $1 AND state = 'sending'`,
      [h.flow],
    )) as Array<{ bill_no: string }>;
    // Kingdee holds the killed request's bills; the ledger only knows they were being sent.
    const stored = new Set(atKill.map((b) => b.billNo));
    expect(sending.filter((r) => stored.has(r.bill_no)).length).toBeGreaterThan(
      0,
    );

    child = startSinkProcess(env);
    await pollUntil(
      async () => {
        const [row] = (await db.query(
          `SELECT count(*)::int AS n FROM sink_kingdee.ledger WHERE flow = $1 AND state = 'written'`,
          [h!.flow],
        )) as Array<{ n: number }>;
        return row?.n === 60;
      },
      { timeoutMs: 60_000, description: 'ledger: 60 written' },
    );

    const bills = h.bills();
    expect(bills.map((b) => b.billNo).sort()).toEqual(
      docs.map((d) => d.billNo).sort(),
    );
    expect(bills.filter((b) => b.writeCount !== 1)).toEqual([]);
  });
});
