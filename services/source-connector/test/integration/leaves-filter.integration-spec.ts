import { resolve } from 'node:path';
import { pollUntil } from '@kingbridge/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlanStreams } from '../../src/streams/plan-streams.loader';
import {
  latestTrades,
  startTestJackyun,
  type JackyunSim,
} from './jackyun-fixtures';
import {
  connectorEnv,
  deleteStreamState,
  InProcessConnector,
  readRawRecords,
  uniqueStreamId,
} from './source-connector.harness';

const PLANS = resolve(__dirname, '../../../../plans');

/** Beijing wall time `yyyy-MM-dd HH:mm:ss` (what Jackyun's time fields carry). */
function beijing(ms: number): string {
  return new Date(ms + 8 * 3_600_000)
    .toISOString()
    .slice(0, 19)
    .replace('T', ' ');
}

/*
 * Seed 000's flow syncs shipped trades (tradeStatus ≥ 6000). A trade cancelled after its day was written must
 * still reach the transform, which takes it out of the written document: the connector must not ask the API
 * for shipped trades only. This runs the plan's own stream (params and filters as the plan has them) against
 * the Jackyun simulator.
 */
describe('jackyun retail orders: a trade that leaves the sync filter is still fetched', () => {
  let sim: JackyunSim;
  let connector: InProcessConnector;
  const streamId = uniqueStreamId('jackyun', 'sales-order');

  beforeAll(async () => {
    sim = await startTestJackyun({
      initialRecords: 40,
      rateLimit: { perSecond: 0 },
      arrivalsPerMinute: 0,
      modificationsPerMinute: 0,
    });
    const [planStream] = (await loadPlanStreams(PLANS, 'jackyun')).filter(
      (s) => s.id === 'jackyun.sales-order.retail-shipped',
    );
    if (!planStream) throw new Error('no retail-shipped stream in plans/');
    connector = await InProcessConnector.start(
      connectorEnv(
        'jackyun',
        sim.url,
        [
          {
            ...planStream,
            id: streamId,
            startFrom: new Date(Date.now() - 8 * 86_400_000).toISOString(),
          },
        ],
        { JACKYUN_RATE_LIMIT: '200/1s' },
      ),
    );
  });

  afterAll(async () => {
    await connector?.close();
    await sim?.close();
    await deleteStreamState([streamId]);
  });

  it('should publish the cancelled version of a shipped trade on the next incremental pull', async () => {
    const runner = connector.runner();
    const first = await runner.runIncremental();
    expect(first.status).toBe('ok');
    const published = first.status === 'ok' ? first.published : 0;
    const before = await readRawRecords(connector.topicOf(), published);
    const shipped = before.find(
      (r) =>
        Number(r.payload['TradeStatus']) >= 6000 &&
        Number(r.payload['TradeType']) === 1,
    );
    expect(shipped).toBeDefined();

    // The trade is cancelled after shipping (a new version, modified now).
    const stored = latestTrades(sim).get(shipped?.sourceId ?? '');
    sim.admin.insert('trades', {
      ...stored,
      tradeStatus: 5010,
      tradeStatusExplain: '已取消',
      gmtModified: beijing(Date.now()),
    });
    // Pull again until the pull's window has passed the cancellation's modified second (the connector holds back
    // the current second).
    let total = published;
    let versions: typeof before = [];
    await pollUntil(
      async () => {
        const next = await runner.runIncremental();
        expect(next.status).toBe('ok');
        total += next.status === 'ok' ? next.published : 0;
        const after = await readRawRecords(connector.topicOf(), total);
        versions = after.filter((r) => r.sourceId === shipped?.sourceId);
        return versions.length > 1;
      },
      {
        timeoutMs: 15_000,
        intervalMs: 300,
        description: 'cancelled version published',
      },
    );
    expect(versions.map((r) => Number(r.payload['TradeStatus']))).toEqual([
      Number(shipped?.payload['TradeStatus']),
      5010,
    ]);
  });
});
