import type { ChildProcess } from 'node:child_process';
import { pollUntil } from '@kingbridge/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { SinkHarness, outstockDocument, sinkEnv } from './sink.harness';
import { exited, startSinkProcess } from './sink-process.util';

/*
 * Two sink processes, each allowed 4 K3Cloud requests in flight, share a
 * tenant budget of 2: the simulator (which counts requests in flight) never
 * sees more than 2 at once, and both processes write.
 */

describe('Kingdee concurrency budget shared by every sink pod', () => {
  let h: SinkHarness | undefined;
  const children: ChildProcess[] = [];

  afterAll(async () => {
    for (const c of children) {
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
      await exited(c);
    }
    await h?.close();
  });

  it('should never exceed the tenant budget with two sink processes, each allowed more', async () => {
    // Slow answers, so requests of both processes overlap; one document per request.
    h = await SinkHarness.create({
      faults: { latency: { kind: 'fixed', ms: 150 } },
    });
    await h.ensureTopics();
    const env = sinkEnv(h.sim, {
      TOPIC_PREFIX: h.config.TOPIC_PREFIX,
      SINK_GROUP_ID: h.config.SINK_GROUP_ID,
      K3CLOUD_CONCURRENCY: '4',
      KINGDEE_BUDGET_K3CLOUD: '2',
      SINK_LINGER_MS: '0',
      SINK_PARTITIONS_CONCURRENTLY: '3',
    });
    const docs = Array.from({ length: 48 }, (_, i) =>
      outstockDocument(h!.flow, i, { rows: 1 }),
    );
    children.push(startSinkProcess(env), startSinkProcess(env));
    await h.produce(docs);
    const db = await h.database();
    const written = async (): Promise<unknown[]> =>
      (await db.query(
        `SELECT 1 FROM sink_kingdee.ledger WHERE flow = $1 AND state = 'written'`,
        [h!.flow],
      )) as unknown[];
    await pollUntil(async () => (await written()).length === docs.length, {
      timeoutMs: 90_000,
      description: `ledger: ${docs.length} written`,
    });
    const stats = h.sim.stats();
    expect(stats.maxConcurrent).toBeLessThanOrEqual(2);
    expect(stats.maxConcurrent).toBe(2);
    expect(
      h
        .bills()
        .map((b) => b.billNo)
        .sort(),
    ).toEqual(docs.map((d) => d.billNo).sort());
    // Every slot given back (this test's tenant: the simulator's own URL).
    const left = (await db.query(
      `SELECT count(*)::int AS n FROM sink_kingdee.kingdee_budget_lease WHERE tenant LIKE $1`,
      [`%${h.sim.baseUrl}%`],
    )) as Array<{ n: number }>;
    expect(left[0]?.n).toBe(0);
  });
});
