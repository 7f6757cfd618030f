import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Tests may start the simulators; production code never imports them.
// eslint-disable-next-line @nx/enforce-module-boundaries -- tests start the simulator in-process (no lib alias exists)
import { startWdtSimulator } from '../../../../../services/simulators/src/sources/wdt/wdt.simulator';
import { WdtClient } from '../wdt.client';
import { WdtRequestError } from '../wdt-request.error';

type Sim = Awaited<ReturnType<typeof startWdtSimulator>>;
const CREDS = { sid: 'unit_sid', appKey: 'unit_key', appSecret: 'unit_secret' };
const NOW = Date.now();
const FROM = new Date(NOW - 10 * 86_400_000);

describe('WdtClient against the simulator', () => {
  let sim: Sim;
  const client = (
    overrides: Partial<ConstructorParameters<typeof WdtClient>[0]> = {},
  ) =>
    new WdtClient({
      baseUrl: sim.url,
      credentials: CREDS,
      timeoutMs: 2000,
      ...overrides,
    });

  beforeAll(async () => {
    sim = await startWdtSimulator({
      sid: CREDS.sid,
      appkey: CREDS.appKey,
      secret: CREDS.appSecret,
      initialRecords: 60,
      historyDays: 8,
      rateLimit: { perSecond: 0 },
      adminEnabled: true,
    });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('should read every page of a window by modified time when signed correctly', async () => {
    const c = client();
    const ids = new Set<string>();
    let token: { index: number } | null = null;
    let total: number | undefined;
    let pages = 0;
    do {
      const page = await c.fetchPage({
        entity: 'stockout-order',
        from: FROM,
        to: new Date(),
        params: { is_by_modified: 1, status: '5,55,95,105,110,113' },
        pageSize: 25,
        page: token,
      });
      if (pages === 0) total = page.total;
      else expect(page.total).toBeUndefined();
      pages += 1;
      for (const r of page.records) {
        ids.add(r.sourceId);
        expect(r.modifiedAt).toMatch(/\+08:00$/);
      }
      token = page.next;
    } while (token);
    const held = sim.admin.records() as { id: string }[];
    expect(total).toBe(held.length);
    expect([...ids].sort()).toEqual(held.map((h) => h.id).sort());
  });

  it('should throw an auth error when the appkey is unknown', async () => {
    const err = (await client({ credentials: { ...CREDS, appKey: 'nobody' } })
      .fetchPage({
        entity: 'stockout-order',
        from: FROM,
        to: new Date(),
        params: {},
        page: null,
      })
      .catch((e: unknown) => e)) as WdtRequestError;
    expect(err).toBeInstanceOf(WdtRequestError);
    expect(err.kind).toBe('auth');
  });

  it('should throw a throttle error when the rate limit is exceeded', async () => {
    const limited = await startWdtSimulator({
      sid: CREDS.sid,
      appkey: CREDS.appKey,
      secret: CREDS.appSecret,
      initialRecords: 5,
      rateLimit: { perSecond: 1 },
    });
    try {
      const c = new WdtClient({ baseUrl: limited.url, credentials: CREDS });
      const query = {
        entity: 'stockout-order' as const,
        from: FROM,
        to: new Date(),
        params: {},
        page: null,
      };
      const results = await Promise.allSettled([
        c.fetchPage(query),
        c.fetchPage(query),
        c.fetchPage(query),
      ]);
      const kinds = results.map((r) =>
        r.status === 'rejected' ? (r.reason as WdtRequestError).kind : 'ok',
      );
      expect(kinds).toContain('throttle');
    } finally {
      await limited.close();
    }
  });

  it('should throw a transient error when the server answers 5xx', async () => {
    sim.admin.setFaults({ http5xxRate: 1 });
    try {
      const err = (await client()
        .fetchPage({
          entity: 'stockout-order',
          from: FROM,
          to: new Date(),
          params: {},
          page: null,
        })
        .catch((e: unknown) => e)) as WdtRequestError;
      expect(err.kind).toBe('transient');
      expect(err.errorClass).toBe('server_error');
    } finally {
      sim.admin.setFaults({ http5xxRate: 0 });
    }
  });
});
