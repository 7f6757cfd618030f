import { statusEventSchema } from '@kingbridge/contracts';
import { pollUntil, waitForMessages } from '@kingbridge/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { SinkHarness, outstockDocument } from './sink.harness';

/*
 * Hole 7 of issue 18: a K3Cloud BatchSave that fails as a whole (a deadlock,
 * the call limit) answers with one error at DIndex 0. It concerns every row
 * of the request: each is retried with that error, none is blamed alone and
 * none is reported as "row missing from the answer".
 */
describe('sink-kingdee request-level K3Cloud errors', () => {
  let h: SinkHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('should retry every row of a batch with the request error when the whole BatchSave fails', async () => {
    h = await SinkHarness.create(
      {
        uniqueBillNo: false,
        faults: { queue: [{ fault: 'error', pathContains: 'BatchSave' }] },
      },
      // A fixed linger: the five documents (several partitions) go in one BatchSave.
      { SINK_LINGER_MS: '1000', SINK_LINGER_IDLE_MS: '1000' },
    );
    await h.ensureTopics();
    const docs = Array.from({ length: 5 }, (_, i) =>
      outstockDocument(h!.flow, i, { rows: 5 }),
    );
    await h.produce(docs);
    await h.startSink();

    const events = await waitForMessages(h.statusTopic, 10, {
      schema: statusEventSchema,
      timeoutMs: 30_000,
    });
    const retrying = events
      .map((e) => e.value)
      .filter((e) => e.outcome === 'retrying');
    expect(retrying.map((e) => e.documentKey).sort()).toEqual(
      docs.map((d) => d.documentKey).sort(),
    );
    for (const e of retrying) {
      expect(e).toMatchObject({
        errorClass: 'server_error',
        errorMessage: expect.stringContaining('死锁'),
      });
    }
    await pollUntil(() => h!.bills().length >= 5, {
      timeoutMs: 30_000,
      description: '5 bills',
    });
    expect(h.sim.stats().faults['error']).toBe(1);
    const bills = h.bills();
    expect(bills.map((b) => b.billNo).sort()).toEqual(
      docs.map((d) => d.billNo).sort(),
    );
    expect(bills.filter((b) => b.writeCount !== 1)).toEqual([]);
  });
});
