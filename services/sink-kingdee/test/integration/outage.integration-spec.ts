import { pollUntil } from '@kingbridge/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { DeadLetterRepository } from '../../src/dead-letters/dead-letter.repository';
import { replayDeadLetters } from '../../src/dead-letters/dead-letter.replayer';
import { SinkHarness, outstockDocument } from './sink.harness';

/*
 * Hole 9 of issue 18: one retrying batch must not stall the other partitions,
 * an outage of Kingdee shorter than the retry budget dead-letters nothing,
 * and after one longer than the budget a mass replay writes each document
 * once. Duplicate bill numbers are accepted, so a blind re-send shows.
 */
describe('sink-kingdee under a Kingdee outage', () => {
  let h: SinkHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function states(): Promise<string[]> {
    const db = await h!.database();
    const rows = (await db.query(
      `SELECT state FROM sink_kingdee.ledger WHERE flow = $1`,
      [h!.flow],
    )) as Array<{ state: string }>;
    return rows.map((r) => r.state);
  }

  function expectEachBillOnce(billNos: readonly string[]): void {
    const bills = h!.bills();
    expect(bills.map((b) => b.billNo).sort()).toEqual([...billNos].sort());
    expect(bills.filter((b) => b.writeCount !== 1)).toEqual([]);
  }

  it('should keep writing the other partitions while one partition waits for a retry', async () => {
    h = await SinkHarness.create({ uniqueBillNo: false });
    await h.ensureTopics();
    const blocked = outstockDocument(h.flow, 0);
    // Another sink instance holds this document in flight for 25 s: it must wait that long.
    const db = await h.database();
    await db.query(
      `INSERT INTO sink_kingdee.ledger (document_key, flow, target, form_id, bill_no, payload_hash, state, attempts,
                                        unverified, owner, lease_until)
       VALUES ($1, $2, 'k3cloud', 'SAL_OUTSTOCK', $3, repeat('0', 64), 'sending', 1, true, 'another-sink',
               now() + interval '25 seconds')`,
      [blocked.documentKey, h.flow, blocked.billNo],
    );
    await h.produceTo(0, [blocked]);
    await h.startSink();
    await pollUntil(
      async () =>
        /kingbridge_kafka_batch_messages_count\{[^}]*\} [1-9]/.test(
          await h!.registry.metrics(),
        ),
      { timeoutMs: 20_000, description: 'the blocked batch handled once' },
    );

    const others = [1, 2, 3, 4].map((i) => outstockDocument(h!.flow, i));
    await h.produceTo(1, others.slice(0, 2));
    await h.produceTo(2, others.slice(2));
    // Written while the first partition still waits out the lease (well under 25 s).
    await pollUntil(() => h!.bills().length === 4, {
      timeoutMs: 10_000,
      description: 'the other partitions written',
    });
    expect(await states()).toContain('sending');

    await pollUntil(
      async () => (await states()).every((s) => s === 'written'),
      { timeoutMs: 45_000, description: 'the blocked document written' },
    );
    expectEachBillOnce([blocked, ...others].map((d) => d.billNo));
  });

  it('should dead-letter nothing when Kingdee is down for longer than the retry attempts but within the retry budget', async () => {
    h = await SinkHarness.create(
      {
        uniqueBillNo: false,
        faults: { pathContains: 'BatchSave', http5xxRate: 1 },
      },
      { SINK_RETRY_ATTEMPTS: '2', SINK_RETRY_BUDGET_MS: '60000' },
    );
    await h.ensureTopics();
    const docs = Array.from({ length: 6 }, (_, i) =>
      outstockDocument(h!.flow, i),
    );
    await h.produce(docs);
    await h.startSink();
    await pollUntil(() => (h!.sim.stats().faults['http-5xx'] ?? 0) >= 8, {
      timeoutMs: 30_000,
      description: 'eight failed saves',
    });
    h.sim.faults.merge({ http5xxRate: 0 });

    await pollUntil(
      async () => {
        const s = await states();
        return s.length === 6 && s.every((x) => x === 'written');
      },
      { timeoutMs: 40_000, description: 'all written after the outage' },
    );
    const db = await h.database();
    const dead = (await db.query(
      `SELECT count(*)::int AS n FROM sink_kingdee.dead_letter WHERE flow = $1`,
      [h.flow],
    )) as Array<{ n: number }>;
    expect(dead[0]?.n).toBe(0);
    expectEachBillOnce(docs.map((d) => d.billNo));
  });

  it('should write each document once when an outage longer than the budget is followed by a mass replay', async () => {
    h = await SinkHarness.create(
      {
        uniqueBillNo: false,
        faults: {
          pathContains: 'BatchSave',
          http5xxRate: 1,
          queue: [
            // The first save lands but its answer is lost; the lookups are refused (call limit).
            { fault: 'lost-response', pathContains: 'BatchSave', count: 1 },
            {
              fault: 'over-limit',
              pathContains: 'ExecuteBillQuery',
              count: 100_000,
            },
          ],
        },
      },
      { SINK_RETRY_BUDGET_MS: '2000', SINK_RETRY_MAX_MS: '300' },
    );
    await h.ensureTopics();
    const docs = Array.from({ length: 20 }, (_, i) =>
      outstockDocument(h!.flow, i),
    );
    await h.produce(docs);
    await h.startSink();
    await pollUntil(
      async () => {
        const s = await states();
        return s.length === 20 && s.every((x) => x === 'dead_lettered');
      },
      { timeoutMs: 40_000, description: 'all dead-lettered after the budget' },
    );
    const landed = h.bills().length;
    expect(landed).toBeGreaterThan(0);

    h.sim.faults.merge({ http5xxRate: 0, queue: [] });
    const db = await h.database();
    const replayed = await replayDeadLetters(
      new DeadLetterRepository(db),
      h.producerHandle(),
      { flow: h.flow },
    );
    expect(replayed).toHaveLength(20);
    await pollUntil(
      async () => (await states()).every((s) => s === 'written'),
      { timeoutMs: 40_000, description: 'all written after the replay' },
    );
    expectEachBillOnce(docs.map((d) => d.billNo));
  });
});
