import { pollUntil, testKafkaConnection } from '@kingbridge/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { SinkHarness, outstockDocument } from './sink.harness';

/*
 * Hole 5 of issue 18: a sink instance joins while another one is in the
 * middle of a Kingdee call longer than the rebalance timeout. The partition
 * may move; the new owner finds the documents `sending` by the old one and
 * must neither look them up nor send them while that call can still land.
 * Duplicate bill numbers are accepted, so two sends mean two bills.
 */
describe('sink-kingdee with two owners of one partition', () => {
  let h: SinkHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('should write each document once when the partition moves while a batch longer than the rebalance timeout is in flight', async () => {
    h = await SinkHarness.create(
      {
        uniqueBillNo: false,
        faults: {
          pathContains: 'BatchSave',
          latency: { kind: 'fixed', ms: 6000 },
        },
      },
      {
        SINK_SESSION_TIMEOUT_MS: '6000',
        SINK_REBALANCE_TIMEOUT_MS: '2000',
        KINGDEE_TIMEOUT_MS: '15000',
        SINK_IN_FLIGHT_GRACE_MS: '1000',
        SINK_LINGER_MS: '20',
      },
    );
    await h.ensureTopics();
    const docs = Array.from({ length: 5 }, (_, i) =>
      outstockDocument(h!.flow, i, { rows: 5 }),
    );
    await h.produceTo(0, docs);
    await h.startSink();
    await pollUntil(
      () =>
        Object.entries(h!.sim.stats().byPath).some(
          ([path, n]) => path.includes('batchsave') && n >= 1,
        ),
      { timeoutMs: 20_000, description: 'first owner sending' },
    );

    // A second owner joins the group while the first one's BatchSave runs.
    await h.startAnotherSink();

    const db = await h.database();
    await pollUntil(
      async () => {
        const rows = (await db.query(
          `SELECT state FROM sink_kingdee.ledger WHERE flow = $1`,
          [h!.flow],
        )) as Array<{ state: string }>;
        const [committed] = await testKafkaConnection()
          .admin.fetchCommittedOffsets(h!.config.SINK_GROUP_ID, h!.topic)
          .then((offsets) => offsets.filter((o) => o.partition === 0));
        return (
          rows.length === 5 &&
          rows.every((r) => r.state === 'written') &&
          committed?.offset === '5' &&
          h!.sim.stats().inFlight === 0
        );
      },
      {
        timeoutMs: 60_000,
        description: 'all written, committed, no call in flight',
      },
    );
    const bills = h.bills();
    expect(bills.map((b) => b.billNo).sort()).toEqual(
      docs.map((d) => d.billNo).sort(),
    );
    expect(bills.filter((b) => b.writeCount !== 1)).toEqual([]);
  });
});
