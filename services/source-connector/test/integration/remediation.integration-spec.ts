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
  readRawRecords,
  uniqueStreamId,
} from './source-connector.harness';

describe('remediation scan', () => {
  let sim: JackyunSim;
  let connector: InProcessConnector;
  const streamId = uniqueStreamId('jackyun', 'sales-order');

  beforeAll(async () => {
    sim = await startTestJackyun({
      initialRecords: 150,
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
            pageSize: 50,
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

  it('should republish only the records whose content changed when re-querying the last 7 days', async () => {
    const runner = connector.runner();
    const sync = await runner.runIncremental();
    expect(sync.status).toBe('ok');
    const synced = sync.status === 'ok' ? sync.published : 0;
    expect(synced).toBe(150);

    // Five records change after the incremental run (the incremental run would catch them next
    // tick; the remediation scan must find exactly these and nothing else).
    const changed = [...latestTrades(sim).keys()].slice(10, 15);
    for (const id of changed) sim.admin.modify('trades', id);

    const remediation = await runner.runRemediation();
    expect(remediation).toMatchObject({ status: 'ok', published: 5 });

    const all = await readRawRecords(connector.topicOf(), synced + 5);
    const republished = all.filter((r) => r.runId.includes(':remediation:'));
    expect(republished.map((r) => r.sourceId).sort()).toEqual(
      [...changed].sort(),
    );
    const held = latestTrades(sim);
    for (const r of republished)
      expect(r.payload).toEqual(tradeOnTheWire(held.get(r.sourceId)!));
    expect(
      await connector.metric('kingbridge_source_records_deduplicated_total', {
        stream: streamId,
      }),
    ).toBeGreaterThanOrEqual(145);
  });
});
