import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWdtSimulator } from '@kingbridge/simulators';
import {
  latestTrades,
  startTestJackyun,
  tradeOnTheWire,
  type JackyunSim,
} from './jackyun-fixtures';
import {
  connectorEnv,
  deleteStreamState,
  InProcessConnector,
  latestBySourceId,
  readRawRecords,
  TEST_CREDENTIALS,
  uniqueStreamId,
} from './source-connector.harness';

describe('page drift during a scan (jackyun scroll cursor)', () => {
  let sim: JackyunSim;
  let connector: InProcessConnector;
  const streamId = uniqueStreamId('jackyun', 'sales-order');

  beforeAll(async () => {
    // After every page answered, 3 records of the query are modified: they leave the window and
    // the rows behind them shift onto pages already read.
    sim = await startTestJackyun({
      initialRecords: 240,
      driftPerPage: 3,
      rateLimit: { perSecond: 0 },
    });
    const startFrom = new Date(Date.now() - 8 * 86_400_000).toISOString();
    connector = await InProcessConnector.start(
      connectorEnv(
        'jackyun',
        sim.url,
        [
          {
            id: streamId,
            platform: 'jackyun',
            entity: 'sales-order',
            pageSize: 25,
            startFrom,
          },
        ],
        {
          JACKYUN_RATE_LIMIT: '200/1s',
        },
      ),
    );
  });

  afterAll(async () => {
    await connector?.close();
    await sim?.close();
    await deleteStreamState([streamId]);
  });

  it('should lose no record when records move between pages during the scan', async () => {
    const runner = connector.runner();
    const first = await runner.runIncremental();
    expect(first.status).toBe('ok');
    const before = latestTrades(sim);
    const idsBefore = [...before.keys()];
    const drifted = (
      sim.admin.records('trades') as { versions: unknown[] }[]
    ).filter((h) => h.versions.length > 1).length;
    expect(drifted).toBeGreaterThan(10);

    // Drift stops; the next run picks up the versions modified during the first one.
    sim.admin.setData({ driftPerPage: 0 });
    const second = await runner.runIncremental();
    expect(second.status).toBe('ok');
    const published =
      (first.status === 'ok' ? first.published : 0) +
      (second.status === 'ok' ? second.published : 0);
    const latest = latestBySourceId(
      await readRawRecords(connector.topicOf(), published),
    );

    for (const id of idsBefore)
      expect(latest.has(id), `trade ${id} published`).toBe(true);
    for (const [id, trade] of latestTrades(sim))
      expect(latest.get(id)?.payload).toEqual(tradeOnTheWire(trade));
  });
});

describe('page drift during a scan (wdt page_no, total only on page 0)', () => {
  it('should lose no record when rows shift between pages while paging by page number', async () => {
    const c = TEST_CREDENTIALS.wdt;
    const sim = await startWdtSimulator({
      sid: c.WDT_SID,
      appkey: c.WDT_APP_KEY,
      secret: c.WDT_APP_SECRET,
      initialRecords: 150,
      historyDays: 7,
      driftPerPage: 2,
      rateLimit: { perSecond: 0 },
      adminEnabled: true,
    });
    const streamId = uniqueStreamId('wdt', 'stockout-order');
    const startFrom = new Date(Date.now() - 8 * 86_400_000).toISOString();
    const connector = await InProcessConnector.start(
      connectorEnv(
        'wdt',
        sim.url,
        [
          {
            id: streamId,
            platform: 'wdt',
            entity: 'stockout-order',
            params: { is_by_modified: 1, status: '5,55,95,105,110,113' },
            pageSize: 20,
            startFrom,
          },
        ],
        // Second-precision source times: a zero overlap could miss a row modified in the checkpoint's own second.
        { WDT_RATE_LIMIT: '200/1s', OVERLAP_MS: '2000' },
      ),
    );
    try {
      const held = sim.admin.records() as {
        id: string;
        versions: { data: Record<string, unknown> }[];
      }[];
      const idsBefore = held.map((h) => h.id);
      const first = await connector.runner().runIncremental();
      expect(first.status).toBe('ok');
      sim.admin.setData({ driftPerPage: 0 });
      const second = await connector.runner().runIncremental();
      expect(second.status).toBe('ok');
      const published =
        (first.status === 'ok' ? first.published : 0) +
        (second.status === 'ok' ? second.published : 0);
      const latest = latestBySourceId(
        await readRawRecords(connector.topicOf(), published),
      );
      for (const id of idsBefore)
        expect(latest.has(id), `stockout ${id} published`).toBe(true);
      for (const h of sim.admin.records() as typeof held)
        expect(latest.get(h.id)?.payload).toEqual(h.versions.at(-1)!.data);
    } finally {
      await connector.close();
      await sim.close();
      await deleteStreamState([streamId]);
    }
  });
});
