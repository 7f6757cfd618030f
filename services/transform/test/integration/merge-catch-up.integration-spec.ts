import type { OutboundDocument, RawRecord } from '@kingbridge/contracts';
import { pollUntil } from '@kingbridge/testing';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ServiceProcess,
  documentTotals,
  jackyunMergeRig,
  jackyunOrder,
  publish,
  publishToPartition,
  rawTopicOf,
  sourceTotals,
  totalsText,
  type BillTotals,
  type MergeFlowRig,
} from './transform.harness';

/*
 * A first start over 24 h of history with the shipped plan's real windows (1 business day in Asia/Shanghai,
 * grace 30m): yesterday's records are read in pages (the sources page by modified time) while today's live
 * records arrive. Yesterday must come out as one base bill per group, never as corrections of a bill that
 * does not exist; after a kill -9 in the middle of the catch-up the totals still add up, with no correction
 * without its base and no document twice. Then two partitions replaying different days of history, one far
 * ahead of the other: event time advances per partition, so every day is one base bill, with a kill -9 in the
 * middle too. Real transform processes, the real broker and Postgres; only the idle timeout is overridden.
 */

const SHOPS = ['SHOP-A', 'SHOP-B'] as const;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SHANGHAI = 8 * HOUR;

/** `yyyy-MM-dd HH:mm:ss` in Beijing time, as Jackyun answers consign times. */
function beijing(ms: number): string {
  return new Date(ms + SHANGHAI).toISOString().replace('T', ' ').slice(0, 19);
}

/** Start of the Beijing business day holding `ms`. */
function dayStart(ms: number): number {
  return Math.floor((ms + SHANGHAI) / DAY) * DAY - SHANGHAI;
}

const now0 = Date.now();
/** The last business day whose window (end + 30m grace) has closed by the wall clock, with margin. */
const yesterday = dayStart(now0 - 35 * 60_000) - DAY;
const today = dayStart(now0);
const yesterdayDate = beijing(yesterday).slice(0, 10);

describe('transform: a first start over 24 h of history with the real 1-day windows', () => {
  const rigs: MergeFlowRig[] = [];
  const processes: ServiceProcess[] = [];

  afterAll(async () => {
    for (const p of processes) {
      if (process.env['TEST_DUMP_LOGS']) console.log(p.logs().slice(-6000));
      await p.kill9();
    }
    for (const r of rigs) await r.close();
  });

  async function newRig(idleTimeout = '20s'): Promise<MergeFlowRig> {
    const rig = await jackyunMergeRig(SHOPS, {
      // Only the idle timeout is overridden: window size and grace are the plan's (1d, 30m). Yesterday closes
      // when the catch-up has been quiet this long: longer than any pause between two merged pages of a running
      // transform on a loaded machine (a restart's downtime does not count as idle time).
      MERGE_IDLE_TIMEOUT: idleTimeout,
    });
    rigs.push(rig);
    return rig;
  }

  async function start(rig: MergeFlowRig): Promise<ServiceProcess> {
    const p = await new ServiceProcess(rig.env).start();
    processes.push(p);
    return p;
  }

  /** Yesterday's orders in pages of `perPage`, alternating shops, spread over the day. */
  function history(rig: MergeFlowRig, pages: number, perPage: number) {
    const out: RawRecord[][] = [];
    for (let p = 0; p < pages; p++) {
      const page: RawRecord[] = [];
      for (let i = 0; i < perPage; i++) {
        const n = p * perPage + i;
        page.push(
          jackyunOrder(
            rig.flow,
            `${rig.flow.id}-h${n}`,
            SHOPS[n % 2] as string,
            beijing(yesterday + ((n * 7919) % (DAY / 1000 - 60)) * 1000),
            [
              { goods: 'G1', qty: 1 + (n % 3), cents: 101 + ((n * 37) % 997) },
              ...(n % 2 === 0 ? [{ goods: 'G2', qty: 2, cents: 10 }] : []),
            ],
          ),
        );
      }
      out.push(page);
    }
    return out;
  }

  /** Today's live orders: consigned just now (never outside today). */
  function live(rig: MergeFlowRig, tag: string, n: number): RawRecord[] {
    return Array.from({ length: n }, (_, i) =>
      jackyunOrder(
        rig.flow,
        `${rig.flow.id}-live-${tag}-${i}`,
        SHOPS[i % 2] as string,
        // Clamped to today (as the test started), should the run cross midnight in Beijing.
        beijing(
          Math.min(today + DAY - 1_000, Math.max(today, Date.now() - 5_000)),
        ),
        [{ goods: 'G1', qty: 1, cents: 500 }],
      ),
    );
  }

  const docsOfYesterday = (rig: MergeFlowRig): OutboundDocument[] =>
    rig.outbound.items
      .map((i) => i.value)
      .filter((d) =>
        d.billNo.startsWith(`JKY${yesterdayDate.replace(/-/g, '')}-`),
      );

  const yesterdayTotals = (records: readonly RawRecord[]) =>
    sourceTotals(
      records.filter((r) =>
        (r.payload['ConsignTime'] as string).startsWith(yesterdayDate),
      ),
    );

  /** Waits for the exact documents asserted: yesterday's bills adding up to the source orders. */
  async function untilYesterdayAddsUp(
    rig: MergeFlowRig,
    expected: BillTotals,
    what: string,
    timeoutMs: number,
  ): Promise<void> {
    await pollUntil(
      () =>
        totalsText(documentTotals(docsOfYesterday(rig))) ===
        totalsText(expected),
      {
        timeoutMs,
        description: `documents of ${yesterdayDate} adding up to ${what}`,
      },
    );
  }

  /** No correction without its base bill, and a document key never carries two different bodies. */
  function expectConsistent(rig: MergeFlowRig): void {
    const docs = rig.outbound.items.map((i) => i.value);
    const bases = new Set(
      docs
        .filter((d) => d.correctionOf === undefined)
        .map((d) => d.documentKey),
    );
    for (const d of docs)
      if (d.correctionOf !== undefined) expect(bases).toContain(d.correctionOf);
    const bodies = new Map<string, string>();
    for (const d of docs) {
      const body = JSON.stringify(d.document);
      expect(bodies.get(d.documentKey) ?? body).toBe(body);
      bodies.set(d.documentKey, body);
    }
  }

  /** One flow's value of a transform metric, as the process exposes it. */
  const metric = async (
    p: ServiceProcess,
    name: string,
    flow: string,
  ): Promise<number> => {
    const line = (await p.metrics())
      .split('\n')
      .find((l) => l.startsWith(`${name}{`) && l.includes(`"${flow}"`));
    return Number(line?.split(' ').pop() ?? '0');
  };
  const lateRecords = (p: ServiceProcess, flow: string): Promise<number> =>
    metric(p, 'kingbridge_transform_late_records_total', flow);

  it("should write yesterday as one base bill per shop when its pages arrive between today's live records", async () => {
    const rig = await newRig();
    const p = await start(rig);
    const pages = history(rig, 3, 20);
    const lives: RawRecord[] = [];
    for (const [i, page] of pages.entries()) {
      await publish(rawTopicOf(rig.flow), page);
      const l = live(rig, `p${i}`, 2);
      lives.push(...l);
      await publish(rawTopicOf(rig.flow), l);
    }
    const expected = yesterdayTotals(pages.flat());

    await untilYesterdayAddsUp(rig, expected, 'the 60 orders', 180_000);
    const docs = docsOfYesterday(rig);
    expect(docs.every((d) => d.correctionOf === undefined)).toBe(true);
    expect([...new Set(docs.map((d) => d.billNo))].sort()).toEqual(
      SHOPS.map((s) => `JKY${yesterdayDate.replace(/-/g, '')}-${s}-WH-1`),
    );
    for (const d of docs) expect(d.lineage.sourceIds).toHaveLength(30);
    expectConsistent(rig);
    // Nothing of yesterday was counted as late, nothing waits for a correction; today stays open.
    expect(await lateRecords(p, rig.flow.id)).toBe(0);
    const pending = (await rig.db.query(
      `SELECT window_key, status FROM transform.merge_window WHERE flow = $1 ORDER BY window_key`,
      [rig.flow.id],
    )) as Array<{ window_key: string; status: string }>;
    expect(pending.filter((w) => w.window_key.endsWith('#late'))).toEqual([]);
    const todayDate = beijing(today).slice(0, 10);
    expect(
      pending
        .filter((w) => w.window_key.endsWith(`:${todayDate}`))
        .map((w) => w.status),
    ).toEqual(['open', 'open']);
  }, 300_000);

  it('should leave no correction without its base and no document twice when the transform is killed with -9 in the middle of the catch-up', async () => {
    const rig = await newRig();
    const first = await start(rig);
    const pages = history(rig, 4, 20);
    const merged = async (): Promise<number> => {
      const rows = (await rig.db.query(
        `SELECT count(*)::int AS n FROM transform.merge_record WHERE flow = $1 AND contribution IS NOT NULL AND hash <> '-'`,
        [rig.flow.id],
      )) as Array<{ n: number }>;
      return rows[0]?.n ?? 0;
    };
    const publishing = (async () => {
      for (const [i, page] of pages.slice(0, 2).entries()) {
        await publish(rawTopicOf(rig.flow), page);
        await publish(rawTopicOf(rig.flow), live(rig, `a${i}`, 2));
      }
    })();
    await pollUntil(async () => (await merged()) >= 10, {
      timeoutMs: 120_000,
      intervalMs: 20,
      description: 'the catch-up under way',
    });
    await first.kill9();
    await publishing;
    // The rest of the catch-up while the transform is down, with pages read again (a retried page).
    for (const [i, page] of pages.slice(2).entries()) {
      await publish(rawTopicOf(rig.flow), page);
      await publish(rawTopicOf(rig.flow), live(rig, `b${i}`, 2));
    }
    await publish(rawTopicOf(rig.flow), pages[0]?.slice(0, 10) ?? []);
    await start(rig);

    const expected = yesterdayTotals(pages.flat());
    await untilYesterdayAddsUp(rig, expected, 'the 80 orders', 240_000);
    expectConsistent(rig);
    const docs = docsOfYesterday(rig);
    for (const shop of SHOPS) {
      const bases = new Set(
        docs
          .filter(
            (d) => d.correctionOf === undefined && d.billNo.includes(shop),
          )
          .map((d) => d.documentKey),
      );
      expect(bases.size).toBe(1);
    }
    // Every order counted once: the lineage of the documents holds each of yesterday's orders exactly once.
    const counted = docs
      .filter(
        (d, i) => docs.findIndex((x) => x.documentKey === d.documentKey) === i,
      )
      .flatMap((d) =>
        d.correctionOf === undefined ? d.lineage.sourceIds : [],
      );
    expect(new Set(counted).size).toBe(counted.length);
  }, 360_000);

  it("should not make a catching-up partition's records late when another partition is already at today's live records", async () => {
    const rig = await newRig();
    const p = await start(rig);
    const topic = rawTopicOf(rig.flow);
    const [early, rest] = [
      history(rig, 1, 4)[0] ?? [],
      history(rig, 1, 24)[0]?.slice(4) ?? [],
    ];
    // Partition 0 starts yesterday's catch-up: its windows open while the watermark is still yesterday.
    await publishToPartition(topic, 0, early);
    await pollUntil(
      async () =>
        (
          (await rig.db.query(
            `SELECT count(*)::int AS n FROM transform.merge_record WHERE flow = $1 AND contribution IS NOT NULL`,
            [rig.flow.id],
          )) as Array<{ n: number }>
        )[0]?.n === early.length,
      {
        timeoutMs: 120_000,
        description: 'the first page of partition 0 merged',
      },
    );
    // Partition 1 is at today's live records: the flow's watermark jumps to now.
    const lives = live(rig, 'p1', 4);
    await publishToPartition(topic, 1, lives);
    await pollUntil(
      async () =>
        Number(
          (
            (await rig.db.query(
              'SELECT watermark_ms FROM transform.merge_watermark WHERE flow = $1',
              [rig.flow.id],
            )) as Array<{ watermark_ms: string | null }>
          )[0]?.watermark_ms ?? 0,
        ) >= today,
      {
        timeoutMs: 120_000,
        description: "the watermark at today's live records",
      },
    );
    // Partition 0 goes on with yesterday.
    await publishToPartition(topic, 0, rest);

    const expected = yesterdayTotals([...early, ...rest]);
    await untilYesterdayAddsUp(rig, expected, "partition 0's orders", 180_000);
    const docs = docsOfYesterday(rig);
    expect(docs.every((d) => d.correctionOf === undefined)).toBe(true);
    expect(new Set(docs.map((d) => d.documentKey)).size).toBe(SHOPS.length);
    expect(await lateRecords(p, rig.flow.id)).toBe(0);
    expectConsistent(rig);
  }, 300_000);

  /*
   * Two partitions replaying history months later, at different days: partition 0 is at day 1 then day 2,
   * partition 1 is a day and more ahead (day 2, 3, 4), their pages interleaved. With one watermark per flow the
   * fast partition closed day 1 and day 2 while partition 0 was still reading them (its later records became
   * corrections). Event time per partition: a day closes once both partitions passed it. The idle timeout is
   * an hour, so nothing here closes by idle: only the watermark (the minimum over the partitions) does.
   */
  const REPLAY_DAYS = [
    '2026-02-01',
    '2026-02-02',
    '2026-02-03',
    '2026-02-04',
  ] as const;

  /** Pages of `perPage` orders of one day for one partition, alternating shops, spread over the day. */
  function replayPages(
    rig: MergeFlowRig,
    tag: string,
    day: string,
    pages: number,
    perPage: number,
  ): RawRecord[][] {
    return Array.from({ length: pages }, (_, p) =>
      Array.from({ length: perPage }, (_, i) => {
        const n = p * perPage + i;
        const at = Date.parse(`${day}T00:00:00.000Z`) + n * 37 * 60_000;
        return jackyunOrder(
          rig.flow,
          `${rig.flow.id}-${tag}-${day}-${n}`,
          SHOPS[n % 2] as string,
          `${day} ${new Date(at).toISOString().slice(11, 19)}`,
          [{ goods: 'G1', qty: 1 + (n % 3), cents: 100 + n * 7 }],
        );
      }),
    );
  }

  /** Partition 0's pages (day 1, then day 2) and partition 1's (days 2, 3, 4): the fast one is far ahead. */
  function replay(rig: MergeFlowRig): {
    slow: RawRecord[][];
    fast: RawRecord[][];
  } {
    const [d1, d2, d3, d4] = REPLAY_DAYS;
    return {
      slow: [
        ...replayPages(rig, 'p0', d1, 3, 6),
        ...replayPages(rig, 'p0', d2, 2, 6),
      ],
      fast: [
        ...replayPages(rig, 'p1', d2, 2, 6),
        ...replayPages(rig, 'p1', d3, 2, 6),
        ...replayPages(rig, 'p1', d4, 2, 6),
      ],
    };
  }

  const replayDocs = (rig: MergeFlowRig): OutboundDocument[] =>
    rig.outbound.items
      .map((i) => i.value)
      .filter((d) =>
        REPLAY_DAYS.some((day) =>
          d.billNo.startsWith(`JKY${day.replace(/-/g, '')}-`),
        ),
      );

  const mergedCount = async (rig: MergeFlowRig): Promise<number> =>
    (
      (await rig.db.query(
        `SELECT count(*)::int AS n FROM transform.merge_record WHERE flow = $1 AND contribution IS NOT NULL AND hash <> '-'`,
        [rig.flow.id],
      )) as Array<{ n: number }>
    )[0]?.n ?? 0;

  /** The first page of the slow partition, merged: the transform knows that partition from then on. */
  async function startSlowPartition(
    rig: MergeFlowRig,
    first: readonly RawRecord[],
  ): Promise<void> {
    await publishToPartition(rawTopicOf(rig.flow), 0, first);
    await pollUntil(async () => (await mergedCount(rig)) >= first.length, {
      timeoutMs: 120_000,
      description: 'the first page of partition 0 merged',
    });
  }

  /**
   * The fast partition far ahead: partition 0 read day 1, partition 1 is at day 3 (its pages interleaved with
   * partition 0's), all of it merged, and the emitter has ticked since (the open-window gauge, refreshed every
   * tick, counts days 1-3 of both shops open: a watermark of one per flow would have closed days 1 and 2 by now).
   */
  async function fastPartitionAhead(
    rig: MergeFlowRig,
    p: ServiceProcess,
    slow: readonly RawRecord[][],
    fast: readonly RawRecord[][],
  ): Promise<void> {
    await publishInterleaved(rig, slow.slice(1, 3), fast.slice(0, 4));
    const published = [...slow.slice(0, 3), ...fast.slice(0, 4)].flat().length;
    await pollUntil(
      async () =>
        (await mergedCount(rig)) === published &&
        (await metric(p, 'kingbridge_transform_open_windows', rig.flow.id)) ===
          3 * SHOPS.length,
      {
        timeoutMs: 120_000,
        description:
          'partition 1 at day 3 merged, days 1-3 still open after a tick',
      },
    );
  }

  /** Interleaved: a page of the slow partition, a page of the fast one. */
  async function publishInterleaved(
    rig: MergeFlowRig,
    slow: readonly RawRecord[][],
    fast: readonly RawRecord[][],
  ): Promise<void> {
    for (let i = 0; i < Math.max(slow.length, fast.length); i += 1) {
      await publishToPartition(rawTopicOf(rig.flow), 0, slow[i] ?? []);
      await publishToPartition(rawTopicOf(rig.flow), 1, fast[i] ?? []);
    }
  }

  /** A record of the day after the replay on both partitions: the watermark (their minimum) passes every day. */
  async function closeReplay(rig: MergeFlowRig): Promise<void> {
    for (const partition of [0, 1])
      await publishToPartition(rawTopicOf(rig.flow), partition, [
        jackyunOrder(
          rig.flow,
          `${rig.flow.id}-close-${partition}`,
          SHOPS[partition] as string,
          '2026-02-05 09:00:00',
          [{ goods: 'G9', qty: 1, cents: 100 }],
        ),
      ]);
  }

  /** Every replayed day: one base bill per shop, no correction, exact totals, each order counted once. */
  async function expectOneBaseBillPerDay(
    rig: MergeFlowRig,
    records: readonly RawRecord[],
  ): Promise<void> {
    const expected = sourceTotals(records);
    await pollUntil(
      () =>
        totalsText(documentTotals(replayDocs(rig))) === totalsText(expected),
      {
        timeoutMs: 180_000,
        description: `documents of ${REPLAY_DAYS.join(', ')} adding up to the ${records.length} replayed orders`,
      },
    );
    const docs = replayDocs(rig);
    expect(docs.filter((d) => d.correctionOf !== undefined)).toEqual([]);
    expect(docs.filter((d) => /-C[0-9A-F]{6}$/.test(d.billNo))).toEqual([]);
    expect([...new Set(docs.map((d) => d.billNo))].sort()).toEqual(
      REPLAY_DAYS.flatMap((day) =>
        SHOPS.map((s) => `JKY${day.replace(/-/g, '')}-${s}-WH-1`),
      ).sort(),
    );
    expect(new Set(docs.map((d) => d.documentKey)).size).toBe(
      REPLAY_DAYS.length * SHOPS.length,
    );
    const counted = docs
      .filter(
        (d, i) => docs.findIndex((x) => x.documentKey === d.documentKey) === i,
      )
      .flatMap((d) => d.lineage.sourceIds);
    expect([...counted].sort()).toEqual(records.map((r) => r.sourceId).sort());
    expectConsistent(rig);
    const pending = (await rig.db.query(
      `SELECT window_key FROM transform.merge_window WHERE flow = $1 AND window_key LIKE '%#late'`,
      [rig.flow.id],
    )) as Array<{ window_key: string }>;
    expect(pending).toEqual([]);
  }

  it('should write every day as one base bill when two partitions replay different days interleaved, one far ahead of the other', async () => {
    const rig = await newRig('1h');
    const p = await start(rig);
    const { slow, fast } = replay(rig);

    await startSlowPartition(rig, slow[0] ?? []);
    await fastPartitionAhead(rig, p, slow, fast);
    // Partition 0 goes on with day 2 (already passed by partition 1), partition 1 with day 4.
    await publishInterleaved(rig, slow.slice(3), fast.slice(4));
    await closeReplay(rig);

    await expectOneBaseBillPerDay(rig, [...slow.flat(), ...fast.flat()]);
    expect(await lateRecords(p, rig.flow.id)).toBe(0);
  }, 300_000);

  it('should still write every day as one base bill when the transform is killed with -9 in the middle of the two partitions replay', async () => {
    const rig = await newRig('1h');
    const first = await start(rig);
    const { slow, fast } = replay(rig);

    await startSlowPartition(rig, slow[0] ?? []);
    await fastPartitionAhead(rig, first, slow, fast);
    await first.kill9();
    // The rest while the transform is down, with a page of each partition read again (a retried page); the
    // restarted transform reads both partitions' event times from Postgres.
    await publishInterleaved(rig, slow.slice(3), fast.slice(4));
    await publishInterleaved(rig, slow.slice(1, 2), fast.slice(1, 2));
    const second = await start(rig);
    await closeReplay(rig);

    await expectOneBaseBillPerDay(rig, [...slow.flat(), ...fast.flat()]);
    expect(await lateRecords(second, rig.flow.id)).toBe(0);
  }, 300_000);
});
