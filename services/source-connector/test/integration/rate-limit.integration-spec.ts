import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestJackyun, type JackyunSim } from './jackyun-fixtures';
import {
  connectorEnv,
  deleteStreamState,
  InProcessConnector,
  uniqueStreamId,
} from './source-connector.harness';

const LIMIT = 4;

function maxInAnyWindow(times: readonly number[], windowMs: number): number {
  let max = 0;
  let lo = 0;
  for (let hi = 0; hi < times.length; hi++) {
    while ((times[hi] ?? 0) - (times[lo] ?? 0) >= windowMs) lo++;
    max = Math.max(max, hi - lo + 1);
  }
  return max;
}

describe('request rate (measured at the simulator)', () => {
  let sim: JackyunSim;
  let connector: InProcessConnector;
  const orders = uniqueStreamId('jackyun', 'sales-order');
  const channels = uniqueStreamId('jackyun', 'sales-channel');

  beforeAll(async () => {
    sim = await startTestJackyun({
      initialRecords: 200,
      rateLimit: { perSecond: 0 },
    });
    const startFrom = new Date(Date.now() - 8 * 86_400_000).toISOString();
    connector = await InProcessConnector.start(
      connectorEnv(
        'jackyun',
        sim.url,
        [
          {
            id: orders,
            platform: 'jackyun',
            entity: 'sales-order',
            pageSize: 20,
            startFrom,
          },
          {
            id: channels,
            platform: 'jackyun',
            entity: 'sales-channel',
            pageSize: 5,
            startFrom: new Date(Date.now() - 120 * 86_400_000).toISOString(),
          },
        ],
        { JACKYUN_RATE_LIMIT: `${LIMIT}/1s` },
      ),
    );
  });

  afterAll(async () => {
    await connector?.close();
    await sim?.close();
    await deleteStreamState([orders, channels]);
  });

  it('should never exceed the configured limit when two streams share the credential', async () => {
    const outcomes = await Promise.all([
      connector.runner(orders).runIncremental(),
      connector.runner(channels).runIncremental(),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['ok', 'ok']);
    const accepted = [...sim.admin.stats().acceptedAt].sort((a, b) => a - b);
    expect(accepted.length).toBeGreaterThan(3 * LIMIT);
    expect(maxInAnyWindow(accepted, 1000)).toBeLessThanOrEqual(LIMIT);
  });
});
