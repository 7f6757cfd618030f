import { deadLetterSchema, statusEventSchema } from '@kingbridge/contracts';
import { pollUntil, waitForMessages } from '@kingbridge/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { SinkHarness, outstockDocument } from './sink.harness';

describe('sink-kingdee writes batches to K3Cloud', () => {
  let h: SinkHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('should write good rows once and dead-letter bad rows with Kingdee message when a batch has bad rows', async () => {
    h = await SinkHarness.create();
    await h.ensureTopics();
    const docs = Array.from({ length: 10 }, (_, i) =>
      outstockDocument(h!.flow, i, {
        material: i % 4 === 1 ? `NOPE-${i}` : 'SKU001',
      }),
    );
    const invalid = outstockDocument(h.flow, 99);
    const noEntries = {
      ...invalid,
      document: { ...invalid.document, FEntity: [] },
    };
    await h.produce([...docs, noEntries]);
    await h
      .producerHandle()
      .send(h.topic, [{ key: 'garbage', value: 'not json' }]);
    await h.startSink();

    const events = await waitForMessages(h.statusTopic, 11, {
      schema: statusEventSchema,
      timeoutMs: 30_000,
    });
    const byKey = new Map(events.map((e) => [e.value.documentKey, e.value]));
    const bad = docs.filter((_, i) => i % 4 === 1);
    expect(
      h
        .bills()
        .map((b) => b.billNo)
        .sort(),
    ).toEqual(
      docs
        .filter((_, i) => i % 4 !== 1)
        .map((d) => d.billNo)
        .sort(),
    );
    expect(
      h.bills().every((b) => b.writeCount === 1 && b.duplicateRejections === 0),
    ).toBe(true);
    for (const d of bad) {
      expect(byKey.get(d.documentKey)).toMatchObject({
        outcome: 'dead_lettered',
        errorClass: 'missing_base_data',
        errorMessage: expect.stringContaining(`NOPE-`),
      });
    }
    expect(byKey.get(noEntries.documentKey)).toMatchObject({
      outcome: 'dead_lettered',
      errorClass: 'schema',
    });
    expect(byKey.get(docs[0]!.documentKey)).toMatchObject({
      outcome: 'written',
      attempts: 1,
      sourceIds: ['S0'],
      latencyMs: expect.any(Number),
    });

    const dlq = await waitForMessages(`${h.topic}.dlq`, 5, {
      schema: deadLetterSchema,
    });
    expect(dlq.map((m) => m.value.errorClass).sort()).toEqual([
      'missing_base_data',
      'missing_base_data',
      'missing_base_data',
      'schema',
      'schema',
    ]);
    expect(
      dlq
        .map((m) => m.value.fieldPath)
        .filter(Boolean)
        .sort(),
    ).toEqual([
      '(root)',
      'FMaterialID',
      'FMaterialID',
      'FMaterialID',
      'document.FEntity',
    ]);
    expect(
      dlq
        .filter((m) => m.value.flow === h!.flow)
        .map((m) => m.value.errorClass),
    ).toHaveLength(4);
    const db = await h.database();
    const stored = (await db.query(
      `SELECT document_key, error_class, error_message FROM sink_kingdee.dead_letter WHERE flow = $1 ORDER BY document_key`,
      [h.flow],
    )) as Array<{ error_message: string }>;
    expect(stored).toHaveLength(4);
    const garbage = (await db.query(
      `SELECT error_class FROM sink_kingdee.dead_letter WHERE topic = $1 AND message_key = 'garbage'`,
      [h.topic],
    )) as Array<{ error_class: string }>;
    expect(garbage).toEqual([{ error_class: 'schema' }]);
    const metrics = await h.registry.metrics();
    expect(metrics).toMatch(
      /kingbridge_sink_requests_total\{target="k3cloud",form="SAL_OUTSTOCK",outcome="partial"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /kingbridge_sink_rows_total\{target="k3cloud",form="SAL_OUTSTOCK",outcome="written"\} 7/,
    );
    expect(metrics).toMatch(
      /kingbridge_sink_batch_rows_count\{target="k3cloud",form="SAL_OUTSTOCK"\} [1-9]/,
    );
    await pollUntil(
      async () =>
        (
          await h!.registry.getSingleMetricAsString(
            'kingbridge_sink_dead_letters',
          )
        ).includes(`flow="${h!.flow}"} 4`),
      { description: 'open dead letters gauge' },
    );
    expect(
      stored.filter((r) => r.error_message.includes('在基础资料中不存在')),
    ).toHaveLength(3);
  });

  it.each([
    ['reset', 'network'],
    ['hang', 'timeout'],
  ] as const)(
    'should write every document once when the response of a write is lost (%s)',
    async (mode, errorClass) => {
      h = await SinkHarness.create(
        {
          faults: {
            lostResponseMode: mode,
            queue: [
              { fault: 'lost-response', pathContains: 'BatchSave', count: 1 },
            ],
          },
        },
        // One BatchSave of all 8 (its answer is the one lost): a fixed linger, so that documents of partitions
        // fetched a little later on a loaded machine still join the batch instead of going in a second one.
        {
          KINGDEE_TIMEOUT_MS: '700',
          SINK_LINGER_MS: '1500',
          SINK_LINGER_IDLE_MS: '1500',
        },
      );
      await h.ensureTopics();
      const docs = Array.from({ length: 8 }, (_, i) =>
        outstockDocument(h!.flow, i),
      );
      await h.produce(docs);
      await h.startSink();

      const events = await waitForMessages(h.statusTopic, 16, {
        schema: statusEventSchema,
        timeoutMs: 30_000,
      });
      await pollUntil(() => h!.bills().length === 8, {
        timeoutMs: 30_000,
        description: '8 bills',
      });
      const written = await pollUntil(async () => {
        const rows = (await (
          await h!.database()
        ).query(
          `SELECT state, attempts FROM sink_kingdee.ledger WHERE flow = $1`,
          [h!.flow],
        )) as Array<{ state: string; attempts: number }>;
        return rows.length === 8 && rows.every((r) => r.state === 'written')
          ? rows
          : undefined;
      });
      expect(
        h
          .bills()
          .every((b) => b.writeCount === 1 && b.duplicateRejections === 0),
      ).toBe(true);
      expect(h.sim.stats().faults['lost-response']).toBe(1);
      expect(written.every((r) => r.attempts === 1)).toBe(true);
      const outcomes = events.map((e) => e.value.outcome);
      expect(outcomes.filter((o) => o === 'retrying')).toHaveLength(8);
      expect(outcomes.filter((o) => o === 'written')).toHaveLength(8);
      expect(
        events.find((e) => e.value.outcome === 'retrying')?.value.errorClass,
      ).toBe(errorClass);
    },
  );

  it('should log in again and lose nothing when the session expires mid-run', async () => {
    h = await SinkHarness.create(
      { faults: { latency: { kind: 'fixed', ms: 30 } } },
      { SINK_LINGER_MS: '20' },
    );
    await h.ensureTopics();
    await h.startSink();
    await h.produce(
      Array.from({ length: 15 }, (_, i) =>
        outstockDocument(h!.flow, i, { rows: 5 }),
      ),
    );
    await pollUntil(() => h!.bills().length >= 5, {
      timeoutMs: 20_000,
      description: 'first batch',
    });
    const logins = h.sim.stats().byPath;
    await fetch(`${h.sim.url}/__admin/session-expire-now`, { method: 'POST' });
    await h.produce(
      Array.from({ length: 15 }, (_, i) =>
        outstockDocument(h!.flow, 100 + i, { rows: 5 }),
      ),
    );

    await pollUntil(() => h!.bills().length === 30, {
      timeoutMs: 30_000,
      description: '30 bills',
    });
    expect(
      h.bills().every((b) => b.writeCount === 1 && b.duplicateRejections === 0),
    ).toBe(true);
    const loginPath =
      Object.keys(h.sim.stats().byPath).find((p) =>
        p.includes('validateuser'),
      ) ?? '';
    expect(h.sim.stats().byPath[loginPath]).toBeGreaterThan(
      logins[loginPath] ?? 0,
    );
    // The bills exist before the sink has recorded the last answer: wait for the count.
    await pollUntil(
      async () =>
        /outcome="written"} 30/.test(
          await h!.registry.getSingleMetricAsString(
            'kingbridge_sink_rows_total',
          ),
        ),
      { description: '30 written rows counted' },
    );
  });
});
