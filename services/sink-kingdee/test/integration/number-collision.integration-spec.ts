import {
  statusEventSchema,
  type OutboundDocument,
} from '@kingbridge/contracts';
import { pollUntil, waitForMessages } from '@kingbridge/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { SinkHarness, outstockDocument } from './sink.harness';

/*
 * Hole 6 of issue 18: a bill number template such as
 * `JKY{date}-{shopcode}-{warehouseCode}` collides when codes contain `-`.
 * The second window's document gets "number already used"; the lookup finds
 * the first window's bill, which is another document: it must not be taken
 * for ours (silent loss) but dead-lettered as a number conflict.
 */
describe('sink-kingdee bill-number collisions', () => {
  let h: SinkHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  function window(
    n: number,
    billNo: string,
    customer: string,
    material: string,
  ): OutboundDocument {
    const base = outstockDocument(h!.flow, n, { material });
    return {
      ...base,
      billNo,
      document: {
        ...base.document,
        FBillNo: billNo,
        FCustomerID: { FNumber: customer },
      },
    };
  }

  it('should dead-letter the second of two windows whose bill numbers collide as a number conflict, not mark it written', async () => {
    h = await SinkHarness.create();
    await h.ensureTopics();
    const billNo = `JKY20260501-${h.flow.toUpperCase()}-A-B-C`;
    // Shop "A-B" in warehouse "C" and shop "A" in warehouse "B-C": the same number.
    const first = window(1, billNo, 'CUST0001', 'SKU001');
    const second = window(2, billNo, 'CUST0002', 'SKU002');
    await h.produceTo(0, [first, second]);
    await h.startSink();

    const events = await waitForMessages(h.statusTopic, 2, {
      schema: statusEventSchema,
      timeoutMs: 30_000,
    });
    const byKey = new Map(events.map((e) => [e.value.documentKey, e.value]));
    expect(byKey.get(first.documentKey)).toMatchObject({ outcome: 'written' });
    expect(byKey.get(second.documentKey)).toMatchObject({
      outcome: 'dead_lettered',
      errorClass: 'duplicate_number_conflict',
      errorMessage: expect.stringContaining('FCustomerID.FNumber CUST0001'),
    });
    const db = await h.database();
    const rows = await pollUntil(async () => {
      const found = (await db.query(
        `SELECT l.state, d.error_class FROM sink_kingdee.ledger l
           LEFT JOIN sink_kingdee.dead_letter d ON d.document_key = l.document_key
          WHERE l.document_key = $1`,
        [second.documentKey],
      )) as Array<{ state: string; error_class: string | null }>;
      return found[0]?.error_class ? found : undefined;
    });
    expect(rows).toEqual([
      { state: 'dead_lettered', error_class: 'duplicate_number_conflict' },
    ]);
    const bills = h.sim.documents.list({ formId: 'SAL_OUTSTOCK', billNo });
    expect(bills).toHaveLength(1);
    expect(bills[0]).toMatchObject({
      billNo,
      writeCount: 1,
      duplicateRejections: 1,
    });
  });
});
