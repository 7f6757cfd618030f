import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Tests may start the simulators; production code never imports them.
import { startJushuitanSimulator } from '@kingbridge/simulators';
import { JushuitanClient } from '../jushuitan.client';
import { JushuitanRequestError } from '../jushuitan-request.error';

type Sim = Awaited<ReturnType<typeof startJushuitanSimulator>>;
const CREDS = {
  appKey: 'unit_app',
  appSecret: 'unit_secret',
  accessToken: 'unit_token',
};
const NOW = Date.now();
const FROM = new Date(NOW - 6 * 86_400_000);

describe('JushuitanClient against the simulator', () => {
  let sim: Sim;
  const client = (
    overrides: Partial<ConstructorParameters<typeof JushuitanClient>[0]> = {},
  ) =>
    new JushuitanClient({
      baseUrl: sim.url,
      credentials: CREDS,
      timeoutMs: 2000,
      ...overrides,
    });

  beforeAll(async () => {
    sim = await startJushuitanSimulator({
      ...CREDS,
      initialRecords: 70,
      historyDays: 5,
      rateLimit: { perSecond: 0, perMinute: 0 },
      adminEnabled: true,
    });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('should read every page of a window when signed correctly', async () => {
    const c = client();
    const ids = new Set<string>();
    let token: { index: number } | null = null;
    let total: number | undefined;
    do {
      const page = await c.fetchPage({
        entity: 'inventory-count',
        from: FROM,
        to: new Date(),
        params: {},
        pageSize: 50,
        page: token,
      });
      total = page.total;
      for (const r of page.records) ids.add(r.sourceId);
      token = page.next;
    } while (token);
    const held = sim.admin.records() as { id: string }[];
    expect(total).toBe(held.length);
    expect([...ids].sort()).toEqual(held.map((h) => h.id).sort());
  });

  it('should throw an auth error when the access token is wrong', async () => {
    const err = (await client({
      credentials: { ...CREDS, accessToken: 'expired' },
    })
      .fetchPage({
        entity: 'inventory-count',
        from: FROM,
        to: new Date(),
        params: {},
        page: null,
      })
      .catch((e: unknown) => e)) as JushuitanRequestError;
    expect(err).toBeInstanceOf(JushuitanRequestError);
    expect(err.kind).toBe('auth');
  });

  it('should throw a throttle error (code 199) when over 5 requests per second', async () => {
    const limited = await startJushuitanSimulator({
      ...CREDS,
      initialRecords: 5,
    });
    try {
      const c = new JushuitanClient({
        baseUrl: limited.url,
        credentials: CREDS,
      });
      const query = {
        entity: 'inventory-count' as const,
        from: FROM,
        to: new Date(),
        params: {},
        page: null,
      };
      const results = await Promise.allSettled(
        Array.from({ length: 7 }, () => c.fetchPage(query)),
      );
      const throttled = results.filter(
        (r) =>
          r.status === 'rejected' &&
          (r.reason as JushuitanRequestError).kind === 'throttle',
      );
      expect(throttled.length).toBeGreaterThanOrEqual(2);
    } finally {
      await limited.close();
    }
  });

  it('should name the request id and field path when the body is not JSON', async () => {
    const broken: typeof fetch = async () =>
      new Response('<html>bad gateway</html>', { status: 200 });
    const err = (await client({ fetch: broken })
      .fetchPage({
        entity: 'inventory-count',
        from: FROM,
        to: new Date(),
        params: {},
        page: null,
      })
      .catch((e: unknown) => e)) as JushuitanRequestError;
    expect(err.kind).toBe('invalid_response');
    expect(err.fieldPath).toBe('(root)');
    expect(err.requestId).toMatch(/[0-9a-f-]{36}/);
  });
});
