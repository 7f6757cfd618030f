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
 * without its base and no document twice. Real transform processes, the real broker and Postgres; only the idle
 * timeout is shortened (yesterday's windows close when the catch-up goes quiet).
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

  async function newRig(): Promise<MergeFlowRig> {
    const rig = await jackyunMergeRig(SHOPS, {
      // Only the idle timeout is shortened: window size and grace are the plan's (1d, 30m).
      // Longer than any pause between two pages on a loaded machine, so yesterday never closes mid-catch-up.
      MERGE_IDLE_TIMEOUT: '45s',
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

  const lateRecords = async (
    p: ServiceProcess,
    flow: string,
  ): Promise<number> => {
    const line = (await p.metrics())
      .split('\n')
      .find(
        (l) =>
          l.startsWith('kingbridge_transform_late_records_total{') &&
          l.includes(`"${flow}"`),
      );
    return Number(line?.split(' ').pop() ?? '0');
  };

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
      timeoutMs: 60_000,
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
        timeoutMs: 60_000,
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
        timeoutMs: 60_000,
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
});
