import type { RunOutcome } from '@kingbridge/source-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  uniqueStreamId,
} from './source-connector.harness';

describe('full sync of a simulated week (jackyun, throttling and 10% faults on)', () => {
  let sim: JackyunSim;
  let connector: InProcessConnector;
  const streamId = uniqueStreamId('jackyun', 'sales-order');

  beforeAll(async () => {
    sim = await startTestJackyun({
      rateLimit: { perSecond: 6 },
      faults: {
        seed: 7,
        errorRate: 0.04,
        http5xxRate: 0.03,
        resetRate: 0.03,
        duplicateRate: 0.05,
      },
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
            pageSize: 40,
            startFrom,
          },
        ],
        {
          // Above the simulator's 6/s: the connector must meet throttling and adapt.
          JACKYUN_RATE_LIMIT: '12/1s',
        },
      ),
    );
  });

  afterAll(async () => {
    await connector?.close();
    await sim?.close();
    await deleteStreamState([streamId]);
  });

  it('should publish every record exactly as the simulator holds it when the sync completes', async () => {
    const runner = connector.runner();
    let published = 0;
    let outcome: RunOutcome | undefined;
    for (let attempt = 0; attempt < 6 && outcome?.status !== 'ok'; attempt++) {
      // A window that failed (3 transient attempts exhausted) is retried by the next run.
      outcome = await runner.runIncremental();
      if (outcome.status === 'ok') published += outcome.published;
      else if (outcome.status === 'failed') published = -1;
    }
    expect(outcome?.status).toBe('ok');

    const held = latestTrades(sim);
    const topic = connector.topicOf();
    const records = await readRawRecords(
      topic,
      published >= 0 ? published : held.size,
    );
    const latest = latestBySourceId(records);
    expect(latest.size).toBe(held.size);
    for (const [id, trade] of held) {
      const record = latest.get(id);
      expect(record, `trade ${id} published`).toBeDefined();
      expect(record!.payload).toEqual(tradeOnTheWire(trade));
      expect(record!.stream).toBe(streamId);
    }
    expect(
      await connector.metric('kingbridge_source_throttled_total'),
    ).toBeGreaterThan(0);
    expect(
      await connector.metric('kingbridge_source_retries_total'),
    ).toBeGreaterThan(0);
    expect(
      await connector.metric('kingbridge_source_records_published_total', {
        stream: streamId,
      }),
    ).toBeGreaterThanOrEqual(held.size);
  });
});
