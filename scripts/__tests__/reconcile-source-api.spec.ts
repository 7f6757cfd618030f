import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@kingbridge/observability';
import { SourceApiInventory } from '@kingbridge/source-connector';
// The simulator is started in-process; the inventory talks to it with the production WDT client.
import { startWdtSimulator } from '@kingbridge/simulators';
import type { SourceSimulator } from '@kingbridge/simulators';

const STREAM = 'wdt.stockout-order.shipped';
const CREDENTIALS = {
  sid: 'kb_t',
  appkey: 'kb_t_key',
  secret: 'kb-t-secret-1',
};

/** WDT times are Beijing time without a zone. */
function beijingMs(text: unknown): number {
  return Date.parse(`${String(text).replace(' ', 'T')}+08:00`);
}

describe('reconciliation source inventory read through the platform API', () => {
  let sim: SourceSimulator;
  const now = Date.now();

  beforeAll(async () => {
    sim = await startWdtSimulator({
      port: 0,
      adminEnabled: true,
      initialRecords: 60,
      historyDays: 2,
      ...CREDENTIALS,
      // Transient 5xx answers on the way: the channel's retry policy reads through them.
      faults: { seed: 5, http5xxRate: 0.2 },
      rateLimit: { perSecond: 0 },
    });
  });

  afterAll(async () => {
    await sim?.close();
  });

  async function inventory(): Promise<SourceApiInventory> {
    return SourceApiInventory.fromEnv(
      {
        WDT_BASE_URL: sim.url,
        WDT_SID: CREDENTIALS.sid,
        WDT_APP_KEY: CREDENTIALS.appkey,
        WDT_APP_SECRET: CREDENTIALS.secret,
        WDT_RATE_LIMIT: '50/1s',
        PLANS_DIR: join(__dirname, '../../plans'),
      },
      'wdt',
      STREAM,
      createLogger('reconcile-test', 'silent'),
    );
  }

  it('should return exactly the shipped stock-outs consigned in the range and those cancelled in it, as the flow queries them', async () => {
    // Arrange: what the simulator holds (admin view, not the API): status 95 with the consign time in range, and
    // (the plan's exit query, status=5 by modified time) status 5 modified in range.
    const fromMs = now - 30 * 3_600_000;
    const toMs = now - 3_600_000;
    const listed = (await (
      await fetch(`${sim.url}/__admin/records?entity=stockouts`)
    ).json()) as {
      records: Array<{
        id: string;
        versions: Array<{ data: Record<string, unknown> }>;
      }>;
    };
    const expected = listed.records
      .filter((r) => {
        const latest = r.versions.at(-1)?.data ?? {};
        const consigned = beijingMs(latest.consign_time);
        const modified = beijingMs(latest.modified);
        return (
          (latest.status === 95 && consigned >= fromMs && consigned < toMs) ||
          (latest.status === 5 && modified >= fromMs && modified < toMs)
        );
      })
      .map((r) => r.id)
      .sort();

    // Act
    const records = await (
      await inventory()
    ).list('stockout-order', {
      fromMs,
      toMs,
    });

    // Assert
    expect(expected.length).toBeGreaterThan(3);
    expect(records.map((r) => r.sourceId).sort()).toEqual(expected);
    expect(new Set(records.map((r) => r.payload.status))).toEqual(
      new Set([95, 5]),
    );
  });

  it('should fail naming the stream when the plans have no such stream', async () => {
    await expect(
      SourceApiInventory.fromEnv(
        {
          WDT_BASE_URL: sim.url,
          WDT_SID: CREDENTIALS.sid,
          WDT_APP_KEY: CREDENTIALS.appkey,
          WDT_APP_SECRET: CREDENTIALS.secret,
          PLANS_DIR: join(__dirname, '../../plans'),
        },
        'wdt',
        'wdt.no-such-stream',
        createLogger('reconcile-test', 'silent'),
      ),
    ).rejects.toThrow(/wdt has no stream 'wdt.no-such-stream'/);
  });
});
