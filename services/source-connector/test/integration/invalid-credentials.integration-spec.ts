import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestJackyun, type JackyunSim } from './jackyun-fixtures';
import {
  connectorEnv,
  deleteStreamState,
  InProcessConnector,
  uniqueStreamId,
} from './source-connector.harness';

describe('invalid credentials', () => {
  let sim: JackyunSim;
  let connector: InProcessConnector;
  const streamId = uniqueStreamId('jackyun', 'sales-order');

  beforeAll(async () => {
    sim = await startTestJackyun({
      initialRecords: 20,
      rateLimit: { perSecond: 0 },
    });
    connector = await InProcessConnector.start(
      connectorEnv(
        'jackyun',
        sim.url,
        [{ id: streamId, platform: 'jackyun', entity: 'sales-order' }],
        {
          JACKYUN_APP_SECRET: 'not-the-secret',
        },
      ),
    );
  });

  afterAll(async () => {
    await connector?.close();
    await sim?.close();
    await deleteStreamState([streamId]);
  });

  it('should stop the stream with a clear reason and no retry loop when the platform refuses the signature', async () => {
    const runner = connector.runner();
    const first = await runner.runIncremental();
    expect(first.status).toBe('stopped');
    expect(first.status === 'stopped' && first.reason).toMatch(
      /invalid credentials: .*签名错误/,
    );
    expect(
      await connector.metric('kingbridge_source_stream_stopped', {
        stream: streamId,
      }),
    ).toBe(1);
    const requests = sim.admin.stats().total;
    expect(requests).toBe(1);

    const again = await runner.runIncremental();
    expect(again.status).toBe('stopped');
    expect(sim.admin.stats().total).toBe(requests);
    expect(
      await connector.metric('kingbridge_source_requests_total', {
        outcome: 'auth_error',
      }),
    ).toBe(1);
  });
});
