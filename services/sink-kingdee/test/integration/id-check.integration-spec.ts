import { statusEventSchema } from '@kingbridge/contracts';
import { waitForMessages } from '@kingbridge/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createKingdeeWriters } from '../../src/sink/kingdee-writers.factory';
import { SinkHarness, outstockDocument } from './sink.harness';

describe('sink-kingdee idCheck (the seeds duplicate check)', () => {
  let h: SinkHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('should record a document whose number already exists in K3Cloud as written without saving it again when idCheck is on', async () => {
    // Arrange: bills 1 and 3 exist in K3Cloud already (written by an earlier integration); 2 does not.
    h = await SinkHarness.create();
    await h.ensureTopics();
    const checked = outstockDocument(h.flow, 1);
    const fresh = outstockDocument(h.flow, 2);
    const unchecked = outstockDocument(h.flow, 3);
    const earlier = await createKingdeeWriters(h.config)
      .get('k3cloud')!
      .write({
        formId: 'SAL_OUTSTOCK',
        operation: 'BatchSave',
        options: checked.options,
        rows: [checked, unchecked].map((d) => ({
          billNo: d.billNo,
          document: d.document,
        })),
      });
    expect(earlier.map((o) => o.kind)).toEqual(['written', 'written']);
    const existing = [checked, unchecked].map((d) =>
      h!.bills().find((b) => b.billNo === d.billNo),
    );
    await h.produce([
      { ...checked, idCheck: true },
      { ...fresh, idCheck: true },
      { ...unchecked, idCheck: false },
    ]);

    // Act
    await h.startSink();
    const events = await waitForMessages(h.statusTopic, 3, {
      schema: statusEventSchema,
      timeoutMs: 30_000,
    });

    // Assert
    const byKey = new Map(events.map((e) => [e.value.documentKey, e.value]));
    const bill = (no: string) => h!.bills().find((b) => b.billNo === no);
    expect(byKey.get(checked.documentKey)).toMatchObject({
      outcome: 'written',
      kingdeeId: String(existing[0]?.id),
    });
    // Asked first: never sent, so K3Cloud saw no second save of the number.
    expect(bill(checked.billNo)).toMatchObject({
      writeCount: 1,
      duplicateRejections: 0,
    });
    expect(byKey.get(fresh.documentKey)).toMatchObject({ outcome: 'written' });
    expect(bill(fresh.billNo)?.writeCount).toBe(1);
    // Without idCheck the save is attempted and refused as a duplicate number first.
    expect(bill(unchecked.billNo)?.duplicateRejections).toBe(1);
    const db = await h.database();
    const rows = (await db.query(
      `SELECT document_key, state, kingdee_id FROM sink_kingdee.ledger WHERE flow = $1 ORDER BY document_key`,
      [h.flow],
    )) as Array<{ document_key: string; state: string; kingdee_id: string }>;
    expect(rows.find((r) => r.document_key === checked.documentKey)).toEqual({
      document_key: checked.documentKey,
      state: 'written',
      kingdee_id: String(existing[0]?.id),
    });
  });
});
