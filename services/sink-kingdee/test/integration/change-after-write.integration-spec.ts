import { statusEventSchema } from '@kingbridge/contracts';
import { pollUntil, waitForMessages } from '@kingbridge/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { DeadLetterRepository } from '../../src/dead-letters/dead-letter.repository';
import { replayDeadLetters } from '../../src/dead-letters/dead-letter.replayer';
import { SinkHarness, outstockDocument } from './sink.harness';
import { withQty } from './sink-process.util';

/*
 * Issue 13 item 3: a non-merged document that arrives again with another
 * payload after it was written is never a silent `duplicate_skipped`: by
 * default it is a `changed_after_write` dead letter holding both versions and
 * a diff, with its own status outcome and metric label; replaying it updates
 * the written bill in place.
 */
describe('sink-kingdee documents changed after write', () => {
  let h: SinkHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('should dead-letter a written document that arrives again with another quantity, with both versions and the diff', async () => {
    h = await SinkHarness.create();
    await h.ensureTopics();
    const doc = outstockDocument(h.flow, 1);
    const same = outstockDocument(h.flow, 2);
    await h.produceTo(0, [doc, same]);
    await h.startSink();
    await waitForMessages(h.statusTopic, 2, {
      schema: statusEventSchema,
      timeoutMs: 30_000,
    });

    // The source record changes after the bill was written; an unchanged one comes again too.
    await h.produceTo(0, [withQty(doc, 5), same]);
    const events = await waitForMessages(h.statusTopic, 4, {
      schema: statusEventSchema,
      timeoutMs: 30_000,
    });
    const of = (key: string) =>
      events.map((e) => e.value).filter((e) => e.documentKey === key);
    expect(of(doc.documentKey).map((e) => e.outcome)).toEqual([
      'written',
      'changed_after_write',
    ]);
    expect(of(doc.documentKey)[1]).toMatchObject({
      errorClass: 'changed_after_write',
      errorMessage: expect.stringContaining(
        'document.FEntity[0].FRealQty: 2 -> 5',
      ),
    });
    expect(of(same.documentKey).map((e) => e.outcome)).toEqual([
      'written',
      'duplicate_skipped',
    ]);

    const db = await h.database();
    const [dead] = await pollUntil(async () => {
      const rows = await new DeadLetterRepository(db).list({
        flow: h!.flow,
        errorClass: 'changed_after_write',
      });
      return rows.length > 0 ? rows : undefined;
    });
    expect(dead?.documentKey).toBe(doc.documentKey);
    expect(dead?.details).toMatchObject({
      diff: [{ path: 'document.FEntity[0].FRealQty', before: 2, after: 5 }],
      written: { billNo: doc.billNo, document: doc.document },
      current: { billNo: doc.billNo, document: withQty(doc, 5).document },
    });
    const [ledger] = (await db.query(
      `SELECT state FROM sink_kingdee.ledger WHERE document_key = $1`,
      [doc.documentKey],
    )) as Array<{ state: string }>;
    expect(ledger?.state).toBe('written');
    expect(
      h.bills().every((b) => b.writeCount === 1 && b.duplicateRejections === 0),
    ).toBe(true);
    expect(await h.registry.metrics()).toMatch(
      /kingbridge_sink_rows_total\{target="k3cloud",form="SAL_OUTSTOCK",outcome="changed_after_write"\} 1/,
    );

    // The operator replays it: the written bill is updated in place, no second bill.
    const replayed = await replayDeadLetters(
      new DeadLetterRepository(db),
      h.producerHandle(),
      { flow: h.flow, errorClass: 'changed_after_write' },
    );
    expect(replayed).toHaveLength(1);
    const updated = await pollUntil(() => {
      const bill = h!.bills().find((b) => b.billNo === doc.billNo);
      return bill && bill.writeCount === 2 ? bill : undefined;
    });
    expect(updated.body.entries[0]?.fields['FREALQTY']).toEqual({
      ref: false,
      value: 5,
    });
    expect(h.bills()).toHaveLength(2);
    const after = await waitForMessages(h.statusTopic, 5, {
      schema: statusEventSchema,
    });
    expect(
      after
        .map((e) => e.value)
        .filter((e) => e.documentKey === doc.documentKey)
        .map((e) => e.outcome),
    ).toEqual(['written', 'changed_after_write', 'written']);
    await pollUntil(async () => {
      const rows = await new DeadLetterRepository(db).list({
        key: doc.documentKey,
        status: 'resolved',
      });
      return rows.length === 1;
    });
  });

  it('should keep Kingdee as it is and only log when the plan says changeAfterWrite: skip', async () => {
    h = await SinkHarness.create();
    await h.ensureTopics();
    const doc = {
      ...outstockDocument(h.flow, 1),
      changeAfterWrite: 'skip' as const,
    };
    await h.produceTo(0, [doc]);
    await h.startSink();
    await waitForMessages(h.statusTopic, 1, { schema: statusEventSchema });
    await h.produceTo(0, [withQty(doc, 5)]);
    const events = await waitForMessages(h.statusTopic, 2, {
      schema: statusEventSchema,
      timeoutMs: 30_000,
    });
    expect(events[1]?.value.outcome).toBe('duplicate_skipped');
  });
});
