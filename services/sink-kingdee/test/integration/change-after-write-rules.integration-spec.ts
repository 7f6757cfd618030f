import type { ChildProcess } from 'node:child_process';
import {
  statusEventSchema,
  type ChangeAfterWrite,
  type OutboundDocument,
  type StatusEvent,
} from '@kingbridge/contracts';
import { pollUntil, waitForMessages } from '@kingbridge/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { DeadLetterRepository } from '../../src/dead-letters/dead-letter.repository';
import { SinkHarness, outstockDocument } from './sink.harness';
import {
  exited,
  killNow,
  processEnv,
  startSinkProcess,
  stopProcess,
  withQty,
} from './sink-process.util';

/*
 * Issue 13, non-merged flows: the plan's target.changeAfterWrite applied by
 * the sink to a document that changed, or was withdrawn from the source,
 * after it was written — against the K3Cloud simulator, which keeps each
 * bill's status and history as the real target would.
 */
describe('sink-kingdee change-after-write rules', () => {
  let h: SinkHarness | undefined;
  let child: ChildProcess | undefined;
  afterEach(async () => {
    await stopProcess(child);
    child = undefined;
    await h?.close();
    h = undefined;
  });

  const NEGATE = ['FEntity.FRealQty'];

  function ruled(
    doc: OutboundDocument,
    rule: ChangeAfterWrite,
    extra: Partial<OutboundDocument> = {},
  ): OutboundDocument {
    return {
      ...doc,
      changeAfterWrite: rule,
      ...(rule === 'reverse' ? { reversal: { negate: NEGATE } } : {}),
      ...extra,
    };
  }

  function withdrawn(doc: OutboundDocument): OutboundDocument {
    return { ...doc, withdrawn: { reason: 'status 5 (已取消)' } };
  }

  async function ledgerStates(keys: readonly string[]) {
    const db = await h!.database();
    const rows = (await db.query(
      `SELECT document_key, state FROM sink_kingdee.ledger WHERE document_key = ANY($1)`,
      [keys],
    )) as Array<{ document_key: string; state: string }>;
    return new Map(rows.map((r) => [r.document_key, r.state]));
  }

  async function untilWritten(keys: readonly string[]): Promise<void> {
    await pollUntil(
      async () => {
        const states = await ledgerStates(keys);
        return keys.every((k) => states.get(k) === 'written');
      },
      { timeoutMs: 30_000, description: `written: ${keys.join(', ')}` },
    );
  }

  async function deadLetters(keys: readonly string[]) {
    const db = await h!.database();
    return pollUntil(
      async () => {
        const rows = await new DeadLetterRepository(db).list({
          flow: h!.flow,
          errorClass: 'changed_after_write',
        });
        return keys.every((k) => rows.some((r) => r.documentKey === k))
          ? rows
          : undefined;
      },
      { timeoutMs: 30_000, description: `dead letters: ${keys.join(', ')}` },
    );
  }

  function bill(billNo: string) {
    return h!.bills().find((b) => b.billNo === billNo);
  }

  function qtyOf(billNo: string): unknown {
    return bill(billNo)?.body.entries[0]?.fields['FREALQTY'];
  }

  function outcomes(events: ReadonlyArray<{ value: StatusEvent }>) {
    const by = new Map<string, string[]>();
    for (const e of events)
      by.set(e.value.documentKey, [
        ...(by.get(e.value.documentKey) ?? []),
        e.value.outcome,
      ]);
    return by;
  }

  it('should ignore a withdrawn document never written and apply each rule to one that was', async () => {
    h = await SinkHarness.create();
    await h.ensureTopics();
    const never = outstockDocument(h.flow, 1);
    const dead = outstockDocument(h.flow, 2);
    const skip = ruled(outstockDocument(h.flow, 3), 'skip');
    const reverse = ruled(outstockDocument(h.flow, 4), 'reverse');
    const update = ruled(outstockDocument(h.flow, 5), 'update');
    const marker = outstockDocument(h.flow, 6);
    await h.produceTo(0, [dead, skip, reverse, update]);
    await h.startSink();
    await untilWritten([dead, skip, reverse, update].map((d) => d.documentKey));

    // Each source record leaves the plan's filter; the marker comes after them on the same partition.
    await h.produceTo(0, [
      withdrawn(never),
      ...[dead, skip, reverse, update].map(withdrawn),
      marker,
    ]);
    await untilWritten([marker.documentKey, `${reverse.documentKey}#r1`]);
    const letters = await deadLetters([dead.documentKey, update.documentKey]);

    // Never written: nothing in Kingdee, nothing in the ledger, no dead letter; counted.
    expect(bill(never.billNo)).toBeUndefined();
    expect((await ledgerStates([never.documentKey])).size).toBe(0);
    expect(letters.map((l) => l.documentKey).sort()).toEqual(
      [dead.documentKey, update.documentKey].sort(),
    );
    expect(await h.registry.metrics()).toMatch(
      /kingbridge_sink_rows_total\{target="k3cloud",form="SAL_OUTSTOCK",outcome="withdrawn_ignored"\} 1/,
    );

    // dead_letter: both versions (the new one gone), the diff, the reason.
    const d = letters.find((l) => l.documentKey === dead.documentKey);
    expect(d?.errorMessage).toContain('withdrawn from the source (status 5');
    expect(d?.details).toMatchObject({
      written: { billNo: dead.billNo, document: dead.document },
      current: null,
      withdrawn: { reason: 'status 5 (已取消)' },
    });
    // update cannot withdraw a bill: held as a dead letter saying why.
    const u = letters.find((l) => l.documentKey === update.documentKey);
    expect(u?.errorMessage).toContain('cannot withdraw a written bill');

    // reverse: the reversal only, negating the written quantity; the first bill untouched.
    expect(qtyOf(`${reverse.billNo}-R1`)).toEqual({ ref: false, value: -2 });
    expect(bill(`${reverse.billNo}-V2`)).toBeUndefined();
    expect(qtyOf(reverse.billNo)).toEqual({ ref: false, value: 2 });
    expect(h.bills().every((b) => b.writeCount === 1)).toBe(true);

    // 5 written, then: dead_letter and update held, skip kept, the reversal, the marker.
    const events = outcomes(
      await waitForMessages(h.statusTopic, 9, { schema: statusEventSchema }),
    );
    expect(events.get(dead.documentKey)).toEqual([
      'written',
      'changed_after_write',
    ]);
    expect(events.get(skip.documentKey)).toEqual([
      'written',
      'duplicate_skipped',
    ]);
    expect(events.get(`${reverse.documentKey}#r1`)).toEqual(['reversed']);
    expect(events.get(never.documentKey)).toBeUndefined();
  });

  it('should update an unaudited bill in place, and an audited one only where the plan permits un-auditing', async () => {
    h = await SinkHarness.create();
    await h.ensureTopics();
    const unaudited = ruled(outstockDocument(h.flow, 1), 'update');
    const refused = ruled(outstockDocument(h.flow, 2), 'update');
    const permitted = ruled(outstockDocument(h.flow, 3), 'update', {
      unauditToUpdate: true,
    });
    await h.produceTo(0, [unaudited, refused, permitted]);
    await h.startSink();
    await untilWritten(
      [unaudited, refused, permitted].map((d) => d.documentKey),
    );
    // An accountant audits two of the bills in Kingdee.
    for (const d of [refused, permitted]) {
      const b = bill(d.billNo);
      if (!b) throw new Error(`no bill ${d.billNo}`);
      b.status = 'C';
    }

    await h.produceTo(
      0,
      [unaudited, refused, permitted].map((d) => withQty(d, 5)),
    );
    await pollUntil(
      () =>
        bill(unaudited.billNo)?.writeCount === 2 &&
        bill(permitted.billNo)?.history.at(-1)?.op === 'audit',
      { timeoutMs: 30_000, description: 'two bills updated' },
    );
    const [letter] = await deadLetters([refused.documentKey]);

    expect(qtyOf(unaudited.billNo)).toEqual({ ref: false, value: 5 });
    expect(bill(unaudited.billNo)?.history.map((e) => e.op)).toEqual([
      'create',
      'update',
    ]);
    // Audited, permitted: UnAudit → Save → Submit → Audit, audited again with the new quantity.
    expect(qtyOf(permitted.billNo)).toEqual({ ref: false, value: 5 });
    expect(bill(permitted.billNo)?.history.map((e) => e.op)).toEqual([
      'create',
      'unaudit',
      'update',
      'submit',
      'audit',
    ]);
    expect(bill(permitted.billNo)?.status).toBe('C');
    // Audited, not permitted: Kingdee untouched, a dead letter saying it is audited.
    expect(qtyOf(refused.billNo)).toEqual({ ref: false, value: 2 });
    expect(bill(refused.billNo)?.writeCount).toBe(1);
    expect(letter?.errorMessage).toContain('is audited (FDocumentStatus C)');
    expect(letter?.details).toMatchObject({
      diff: [{ path: 'document.FEntity[0].FRealQty', before: 2, after: 5 }],
    });
    expect(h.bills()).toHaveLength(3);

    const db = await h.database();
    const [row] = (await db.query(
      `SELECT written_payload FROM sink_kingdee.ledger WHERE document_key = $1`,
      [unaudited.documentKey],
    )) as Array<{ written_payload: { document: unknown } }>;
    expect(row?.written_payload.document).toEqual(
      withQty(unaudited, 5).document,
    );
    const events = outcomes(
      await waitForMessages(h.statusTopic, 6, { schema: statusEventSchema }),
    );
    expect(events.get(unaudited.documentKey)).toEqual(['written', 'updated']);
    expect(events.get(permitted.documentKey)).toEqual(['written', 'updated']);
    expect(events.get(refused.documentKey)).toEqual([
      'written',
      'changed_after_write',
    ]);
    expect(await h.registry.metrics()).toMatch(
      /kingbridge_sink_rows_total\{target="k3cloud",form="SAL_OUTSTOCK",outcome="updated"\} 2/,
    );
  });

  it('should write a reversal and the new version once each, across a kill -9 between them and a redelivery', async () => {
    let saves = 0;
    h = await SinkHarness.create(
      {},
      {},
      {
        // The 2nd save is the reversal: Kingdee stores it, the sink dies before hearing the answer.
        afterHandle: async ({ path }) => {
          if (/save/i.test(path) && ++saves === 2) await killNow(child);
        },
      },
    );
    await h.ensureTopics();
    const env = processEnv(h);
    const doc = ruled(outstockDocument(h.flow, 1), 'reverse');
    await h.produceTo(0, [doc]);
    child = startSinkProcess(env);
    await untilWritten([doc.documentKey]);
    await h.produceTo(0, [withQty(doc, 5)]);
    await exited(child);
    expect(bill(`${doc.billNo}-R1`)).toBeDefined();
    expect(bill(`${doc.billNo}-V2`)).toBeUndefined();

    child = startSinkProcess(env);
    await untilWritten([`${doc.documentKey}#r1`, `${doc.documentKey}#v2`]);
    // The same change again, then a second change: the pair is not repeated; the next pair follows.
    await h.produceTo(0, [withQty(doc, 5), withQty(doc, 7)]);
    await untilWritten([`${doc.documentKey}#r2`, `${doc.documentKey}#v3`]);

    expect(qtyOf(doc.billNo)).toEqual({ ref: false, value: 2 });
    expect(qtyOf(`${doc.billNo}-R1`)).toEqual({ ref: false, value: -2 });
    expect(qtyOf(`${doc.billNo}-V2`)).toEqual({ ref: false, value: 5 });
    expect(qtyOf(`${doc.billNo}-R2`)).toEqual({ ref: false, value: -5 });
    expect(qtyOf(`${doc.billNo}-V3`)).toEqual({ ref: false, value: 7 });
    expect(h.bills()).toHaveLength(5);
    expect(
      h.bills().filter((b) => b.writeCount !== 1 || b.duplicateRejections > 0),
    ).toEqual([]);
    // Σ over the record's bills = its latest quantity.
    const total = h
      .bills()
      .reduce(
        (n, b) =>
          n +
          Number(
            (b.body.entries[0]?.fields['FREALQTY'] as { value: number }).value,
          ),
        0,
      );
    expect(total).toBe(7);
  });
});
