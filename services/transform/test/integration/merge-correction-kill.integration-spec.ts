import type { OutboundDocument, RawRecord } from '@kingbridge/contracts';
import { pollUntil } from '@kingbridge/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ServiceProcess,
  committedPast,
  documentTotals,
  jackyunMergeRig,
  jackyunOrder,
  orderLines,
  publish,
  publishToEveryPartition,
  rawTopicOf,
  sourceTotals,
  type MergeFlowRig,
  type OrderLine,
} from './transform.harness';

/*
 * Corrections of written merged documents when the transform dies with kill -9 between the two corrections a
 * change produces: real transform processes over the real broker and Postgres. The process is SIGKILLed at a
 * named point of the window emitter (TRANSFORM_TEST_FAULT, honoured only with KINGBRIDGE_TEST_FAULTS=1), so
 * "between the two" is exact, not a race: with WINDOW_EMIT_LIMIT=1 each correction has its own transaction.
 */

const SHOP = 'SHOP-A';

describe('transform: corrections of written merged documents survive kill -9 between the two corrections', () => {
  let rig: MergeFlowRig;
  const processes: ServiceProcess[] = [];
  const order = (
    no: string,
    consignTime: string,
    lines: readonly OrderLine[],
    opts: { status?: number; modifiedAt?: string } = {},
  ): RawRecord =>
    jackyunOrder(
      rig.flow,
      `${rig.flow.id}-${no}`,
      SHOP,
      consignTime,
      lines,
      opts,
    );

  const base = (day: string): string => `${rig.flow.id}:${SHOP}|WH-1:${day}`;
  const docsOf = (day: string): OutboundDocument[] =>
    rig.outbound.items
      .map((i) => i.value)
      .filter((d) => d.documentKey.startsWith(base(day)));
  const corrections = (day: string): OutboundDocument[] =>
    docsOf(day).filter((d) => d.correctionOf === base(day));
  const recordsIn = async (window: string): Promise<number> => {
    const rows = (await rig.db.query(
      `SELECT count(*)::int AS n FROM transform.merge_record
        WHERE flow = $1 AND window_key = $2 AND contribution IS NOT NULL AND hash <> '-'`,
      [rig.flow.id, window],
    )) as Array<{ n: number }>;
    return rows[0]?.n ?? 0;
  };
  const outboxKeys = async (): Promise<string[]> =>
    (
      (await rig.db.query(
        'SELECT document_key FROM transform.merge_outbox WHERE flow = $1 ORDER BY id',
        [rig.flow.id],
      )) as Array<{ document_key: string }>
    ).map((r) => r.document_key);
  const windowStatus = async (key: string): Promise<string | undefined> =>
    (
      (await rig.db.query(
        'SELECT status FROM transform.merge_window WHERE flow = $1 AND window_key = $2',
        [rig.flow.id, key],
      )) as Array<{ status: string }>
    )[0]?.status;
  const groupId = (): string => rig.env['TRANSFORM_GROUP_ID'] as string;
  const start = async (fault?: string): Promise<ServiceProcess> => {
    const p = await new ServiceProcess({
      ...rig.env,
      ...(fault ? { TRANSFORM_TEST_FAULT: fault } : {}),
    }).start();
    processes.push(p);
    return p;
  };

  /** Two written days (their base bills produced), each with the given records, plus closing records. */
  async function writeTwoDays(
    days: readonly [string, string, string],
    first: readonly RawRecord[],
    second: readonly RawRecord[],
  ): Promise<void> {
    await publish(rawTopicOf(rig.flow), [...first, ...second]);
    // Every record merged before the closing records move the watermark (else a window opens behind it).
    await pollUntil(
      async () =>
        (await recordsIn(base(days[0]))) === first.length &&
        (await recordsIn(base(days[1]))) === second.length,
      { timeoutMs: 180_000, description: 'both days merged' },
    );
    // One on every partition: the flow's watermark is the minimum over the partitions it reads.
    await publishToEveryPartition(rawTopicOf(rig.flow), (p) =>
      order(`close-${days[2]}-p${p}`, `${days[2]} 09:00:00`, [
        { goods: 'G9', qty: 1, cents: 100 },
      ]),
    );
    await pollUntil(
      () => docsOf(days[0]).length >= 1 && docsOf(days[1]).length >= 1,
      { timeoutMs: 180_000, description: 'the base bills of both days' },
    );
  }

  beforeAll(async () => {
    rig = await jackyunMergeRig([SHOP], {
      MERGE_WINDOW_SIZE: '1d',
      MERGE_GRACE: '0s',
      // Past days close by the watermark only; idle never closes anything during the test.
      MERGE_IDLE_TIMEOUT: '1h',
      // One window per emission transaction: the two corrections of a change are committed one after the other.
      WINDOW_EMIT_LIMIT: '1',
      KINGBRIDGE_TEST_FAULTS: '1',
    });
  });

  afterAll(async () => {
    for (const p of processes) {
      if (process.env['TEST_DUMP_LOGS']) console.log(p.logs().slice(-6000));
      await p.kill9();
    }
    await rig?.close();
  });

  it('should write one correction on each window when a record moves to the next day after both were written and the transform dies between the two corrections', async () => {
    const days = ['2026-06-10', '2026-06-11', '2026-06-12'] as const;
    const first = [
      order(`m1`, `${days[0]} 10:00:00`, [
        { goods: 'G1', qty: 2, cents: 2050 },
        { goods: 'G2', qty: 1, cents: 10 },
      ]),
      order(`m2`, `${days[0]} 11:00:00`, [{ goods: 'G1', qty: 1, cents: 999 }]),
      order(`m3`, `${days[0]} 12:00:00`, [{ goods: 'G2', qty: 4, cents: 40 }]),
    ];
    const second = [
      order(`m4`, `${days[1]} 10:00:00`, [
        { goods: 'G1', qty: 3, cents: 3333 },
      ]),
      order(`m5`, `${days[1]} 15:00:00`, [
        { goods: 'G3', qty: 1, cents: 12345 },
      ]),
    ];
    await start('after-outbox-produce:#c-');
    await writeTwoDays(days, first, second);

    // The order is re-shipped the next day (and its quantity changed): a delta on both written days.
    const moved = order(
      'm1',
      `${days[1]} 09:30:00`,
      [
        { goods: 'G1', qty: 5, cents: 5125 },
        { goods: 'G2', qty: 1, cents: 10 },
      ],
      { modifiedAt: '2026-07-02T02:00:00.000Z' },
    );
    const movedAt = await publish(rawTopicOf(rig.flow), [moved]);

    // The first correction (the earlier day's, key order) is produced, then the process dies at once.
    await processes[0]?.exited(180_000);
    await pollUntil(() => corrections(days[0]).length >= 1, {
      timeoutMs: 180_000,
      description: `the ${days[0]} correction produced before the kill`,
    });
    // Deterministic, not a race: the second correction is still pending, the first still in the outbox.
    expect(await windowStatus(`${base(days[1])}#late`)).toBe('open');
    expect(corrections(days[1])).toEqual([]);
    expect(await outboxKeys()).toEqual([corrections(days[0])[0]?.documentKey]);

    await start();
    await pollUntil(
      async () =>
        corrections(days[1]).length >= 1 && (await outboxKeys()).length === 0,
      {
        timeoutMs: 180_000,
        description: `the ${days[1]} correction after the restart, outbox drained`,
      },
    );

    // One correction per window (a second produce of the first carries the same bytes).
    for (const day of days.slice(0, 2)) {
      const keys = new Set(corrections(day).map((d) => d.documentKey));
      expect(keys.size).toBe(1);
      const bodies = new Set(
        corrections(day).map((d) => JSON.stringify(d.document)),
      );
      expect(bodies.size).toBe(1);
    }
    // The move's offset may not have been committed by the killed process: its redelivery corrects nothing.
    await committedPast(groupId(), rawTopicOf(rig.flow), movedAt);
    expect(await windowStatus(`${base(days[0])}#late`)).toBeUndefined();
    expect(await windowStatus(`${base(days[1])}#late`)).toBeUndefined();
    const out = corrections(days[0])[0];
    expect(out?.lineage.sourceIds).toEqual([moved.sourceId]);
    expect(
      (out?.document['FEntity'] as Array<Record<string, unknown>>).map((r) =>
        Number(r['FRealQty']),
      ),
    ).toEqual([-2, -1]);
    const totals = documentTotals([...docsOf(days[0]), ...docsOf(days[1])]);
    expect(totals).toEqual(sourceTotals([moved, ...first.slice(1), ...second]));
  }, 600_000);

  it('should take cancelled orders out of two written days with one correction each when the transform dies after the first correction was committed', async () => {
    const days = ['2026-06-20', '2026-06-21', '2026-06-22'] as const;
    const first = [
      order(`k1`, `${days[0]} 10:00:00`, [
        { goods: 'G1', qty: 2, cents: 2000 },
      ]),
      order(`k2`, `${days[0]} 11:00:00`, [
        { goods: 'G1', qty: 1, cents: 1001 },
        { goods: 'G2', qty: 3, cents: 30 },
      ]),
    ];
    const second = [
      order(`k3`, `${days[1]} 10:00:00`, [
        { goods: 'G2', qty: 2, cents: 20 },
        { goods: 'G3', qty: 1, cents: 777 },
      ]),
      order(`k4`, `${days[1]} 12:00:00`, [
        { goods: 'G3', qty: 2, cents: 1554 },
      ]),
    ];
    // Only the process with the fault runs (the earlier test's survivor would emit the corrections too).
    for (const p of processes) await p.kill9();
    const killer = await start('after-emission-commit:#c-');
    await writeTwoDays(days, first, second);

    // Cancelled after shipping (status below the plan's filter), one order on each written day.
    const cancelled = [first[1], second[0]].map((r) =>
      jackyunOrder(
        rig.flow,
        (r as RawRecord).sourceId,
        SHOP,
        (r as RawRecord).payload['ConsignTime'] as string,
        orderLines(r as RawRecord),
        { status: 5010, modifiedAt: '2026-07-03T02:00:00.000Z' },
      ),
    );
    const cancelledAt = await publish(rawTopicOf(rig.flow), cancelled);

    // Dies once the first correction is committed to the outbox, before anything is produced.
    await killer.exited(180_000);
    const pending = await outboxKeys();
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatch(/#c-[0-9a-f]{10}$/);

    await start();
    await pollUntil(
      async () =>
        corrections(days[0]).length >= 1 &&
        corrections(days[1]).length >= 1 &&
        (await outboxKeys()).length === 0,
      {
        timeoutMs: 180_000,
        description: 'both corrections after the restart, outbox drained',
      },
    );
    for (const day of days.slice(0, 2)) {
      expect(new Set(corrections(day).map((d) => d.documentKey)).size).toBe(1);
      const rows = corrections(day)[0]?.document['FEntity'] as Array<
        Record<string, unknown>
      >;
      expect(rows.every((r) => Number(r['FRealQty']) < 0)).toBe(true);
    }
    expect(
      [...corrections(days[0]), ...corrections(days[1])].map(
        (d) => d.documentKey,
      ),
    ).toContain(pending[0]);
    const totals = documentTotals([...docsOf(days[0]), ...docsOf(days[1])]);
    expect(totals).toEqual(
      sourceTotals([
        first[0] as RawRecord,
        ...cancelled,
        second[1] as RawRecord,
      ]),
    );
    // The killed process's records are redelivered: nothing more to correct (no second correction appears).
    await committedPast(groupId(), rawTopicOf(rig.flow), cancelledAt);
    expect(await windowStatus(`${base(days[0])}#late`)).toBeUndefined();
    expect(await windowStatus(`${base(days[1])}#late`)).toBeUndefined();
  }, 600_000);
});
