import type { OutboundDocument } from '@kingbridge/contracts';
import { pollUntil } from '@kingbridge/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { DeadLetterRepository } from '../../src/dead-letters/dead-letter.repository';
import { replayDeadLetters } from '../../src/dead-letters/dead-letter.replayer';
import { SinkHarness, outstockDocument } from './sink.harness';

/*
 * Hole 2 of issue 18: after a write whose answer was lost, the document stays
 * "needs verification" until a lookup actually answers; a throttled lookup
 * never turns into a blind re-send, nor does a dead letter replayed later.
 * The simulator accepts duplicate bill numbers (a form without a unique
 * number rule), so a blind re-send shows up as a second bill.
 */
describe('sink-kingdee never re-sends an unverified write', () => {
  let h: SinkHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function ledger(): Promise<
    Array<{ state: string; unverified: boolean; last_error_class: string }>
  > {
    const db = await h!.database();
    return (await db.query(
      `SELECT state, unverified, last_error_class FROM sink_kingdee.ledger WHERE flow = $1`,
      [h!.flow],
    )) as Array<{
      state: string;
      unverified: boolean;
      last_error_class: string;
    }>;
  }

  /** A sink whose first BatchSave is stored and its answer lost, then `throttled` lookups refused. */
  async function lostThenThrottled(
    throttled: number,
    count: number,
    extra: Record<string, string> = {},
  ): Promise<OutboundDocument[]> {
    h = await SinkHarness.create(
      {
        uniqueBillNo: false,
        faults: {
          lostResponseMode: 'hang',
          queue: [
            { fault: 'lost-response', pathContains: 'BatchSave', count: 1 },
            {
              fault: 'over-limit',
              pathContains: 'ExecuteBillQuery',
              count: throttled,
            },
          ],
        },
      },
      { KINGDEE_TIMEOUT_MS: '700', ...extra },
    );
    await h.ensureTopics();
    const docs = Array.from({ length: count }, (_, i) =>
      outstockDocument(h!.flow, i),
    );
    await h.produce(docs);
    await h.startSink();
    return docs;
  }

  it('should look the bill up again, not send it twice, when the lookup after a lost answer is throttled', async () => {
    const docs = await lostThenThrottled(2, 4);

    await pollUntil(
      async () => {
        const rows = await ledger();
        return rows.length === 4 && rows.every((r) => r.state === 'written');
      },
      { timeoutMs: 40_000, description: 'ledger: 4 written' },
    );
    expect(h!.sim.stats().faults['lost-response']).toBe(1);
    expect(h!.sim.stats().faults['over-limit']).toBe(2);
    const bills = h!.bills();
    expect(bills.map((b) => b.billNo).sort()).toEqual(
      docs.map((d) => d.billNo).sort(),
    );
    expect(bills.filter((b) => b.writeCount !== 1)).toEqual([]);
  });

  it('should keep a dead-lettered unverified write unverified, so its replay looks it up instead of sending it again', async () => {
    const docs = await lostThenThrottled(1000, 3, {
      SINK_RETRY_ATTEMPTS: '3',
    });

    const dead = await pollUntil(
      async () => {
        const rows = await ledger();
        return rows.length === 3 &&
          rows.every((r) => r.state === 'dead_lettered')
          ? rows
          : undefined;
      },
      { timeoutMs: 40_000, description: 'ledger: 3 dead-lettered' },
    );
    expect(dead.every((r) => r.unverified)).toBe(true);
    expect(h!.bills()).toHaveLength(3);

    // Kingdee answers lookups again; the operator replays the dead letters.
    h!.sim.faults.merge({ queue: [] });
    const db = await h!.database();
    const replayed = await replayDeadLetters(
      new DeadLetterRepository(db),
      h!.producerHandle(),
      { flow: h!.flow },
    );
    expect(replayed).toHaveLength(3);
    await pollUntil(
      async () => (await ledger()).every((r) => r.state === 'written'),
      { timeoutMs: 30_000, description: 'ledger: 3 written after replay' },
    );
    const bills = h!.bills();
    expect(bills.map((b) => b.billNo).sort()).toEqual(
      docs.map((d) => d.billNo).sort(),
    );
    expect(bills.filter((b) => b.writeCount !== 1)).toEqual([]);
  });

  it('should wait out the grace after a timeout while Kingdee is still finishing the write, then find it instead of sending it again', async () => {
    // Kingdee stores the bill 1.5 s after the request arrives; the client gives up after 0.5 s.
    h = await SinkHarness.create(
      {
        uniqueBillNo: false,
        faults: {
          pathContains: 'BatchSave',
          latency: { kind: 'fixed', ms: 1500 },
        },
      },
      { KINGDEE_TIMEOUT_MS: '500', SINK_IN_FLIGHT_GRACE_MS: '3000' },
    );
    await h.ensureTopics();
    const docs = Array.from({ length: 3 }, (_, i) =>
      outstockDocument(h!.flow, i),
    );
    await h.produce(docs);
    await h.startSink();
    await pollUntil(
      async () => {
        const rows = await ledger();
        return rows.length === 3 && rows.every((r) => r.state === 'written');
      },
      { timeoutMs: 30_000, description: 'ledger: 3 written' },
    );
    await pollUntil(() => h!.sim.stats().inFlight === 0, {
      description: 'no save in flight',
    });
    const bills = h.bills();
    expect(bills.map((b) => b.billNo).sort()).toEqual(
      docs.map((d) => d.billNo).sort(),
    );
    expect(bills.filter((b) => b.writeCount !== 1)).toEqual([]);
  });
});
