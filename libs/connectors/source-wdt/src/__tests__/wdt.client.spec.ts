import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Tests may start the simulators; production code never imports them.
import { startWdtSimulator } from '@kingbridge/simulators';
import { WdtClient } from '../wdt.client';
import { WdtRequestError } from '../wdt-request.error';

type Sim = Awaited<ReturnType<typeof startWdtSimulator>>;
const CREDS = { sid: 'unit_sid', appKey: 'unit_key', appSecret: 'unit_secret' };
const QIMEN = {
  appKey: 'unit_qm_key',
  appSecret: 'unit_qm_secret',
  targetAppKey: 'unit_target',
};
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
      qimenAppKey: QIMEN.appKey,
      qimenSecret: QIMEN.appSecret,
      qimenTargetAppKey: QIMEN.targetAppKey,
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

  /** Every record of the seed's query (status 95) over the window, page by page. */
  async function readAll(c: WdtClient): Promise<Map<string, unknown>> {
    const out = new Map<string, unknown>();
    let token: { index: number } | null = null;
    do {
      const page = await c.fetchPage({
        entity: 'stockout-order',
        from: FROM,
        to: new Date(NOW),
        params: { status: '95' },
        pageSize: 20,
        page: token,
      });
      for (const r of page.records) out.set(r.sourceId, r.payload);
      token = page.next;
    } while (token);
    return out;
  }

  it('should read the same stock-outs through 企业奇门 (/router/qm, TOP sign) as through openapi2 when qimen is configured', async () => {
    // Arrange
    const paths: string[] = [];
    const qimen = client({
      qimen: QIMEN,
      fetch: (input, init) => {
        paths.push(new URL(String(input)).pathname);
        return fetch(input, init);
      },
    });

    // Act
    const viaQimen = await readAll(qimen);
    const viaOpenapi = await readAll(client());

    // Assert
    expect(viaQimen.size).toBeGreaterThan(5);
    expect(viaQimen).toEqual(viaOpenapi);
    expect(new Set(paths)).toEqual(new Set(['/router/qm']));
  });

  it('should throw an auth error when the Qimen secret is wrong', async () => {
    const err = (await client({ qimen: { ...QIMEN, appSecret: 'nope' } })
      .fetchPage({
        entity: 'stockout-order',
        from: FROM,
        to: new Date(NOW),
        params: { status: '95' },
        page: null,
      })
      .catch((e: unknown) => e)) as WdtRequestError;
    expect(err).toBeInstanceOf(WdtRequestError);
    expect(err.kind).toBe('auth');
    expect(err.message).toContain('sign-check-failure');
  });
});
