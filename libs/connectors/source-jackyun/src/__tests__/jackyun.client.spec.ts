import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Tests may start the simulators; production code never imports them.
import { startJackyunSimulator } from '@kingbridge/simulators';
import { JackyunClient } from '../jackyun.client';
import { JackyunRequestError } from '../jackyun-request.error';

type Sim = Awaited<ReturnType<typeof startJackyunSimulator>>;

const APPKEY = '87654321';
const SECRET = 'UnitSecret';
const NOW = Date.parse('2026-03-10T04:00:00Z');
const QIMEN = {
  appKey: 'unit_jky_qm',
  appSecret: 'unit_jky_qm_secret',
  targetAppKey: 'unit_jky_target',
};
const WEEK_AGO = new Date(NOW - 7 * 86_400_000);

describe('JackyunClient against the simulator', () => {
  let sim: Sim;
  const client = (
    overrides: Partial<ConstructorParameters<typeof JackyunClient>[0]> = {},
  ) =>
    new JackyunClient({
      baseUrl: sim.url,
      credentials: { appKey: APPKEY, appSecret: SECRET },
      timeoutMs: 2000,
      ...overrides,
    });

  beforeAll(async () => {
    sim = await startJackyunSimulator({
      appkey: APPKEY,
      secret: SECRET,
      initialRecords: 40,
      anchor: NOW,
      historyDays: 6,
      rateLimit: { perSecond: 0 },
      adminEnabled: true,
      qimenAppKey: QIMEN.appKey,
      qimenSecret: QIMEN.appSecret,
      qimenTargetAppKey: QIMEN.targetAppKey,
    });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('should read every order of a window with PascalCase payloads and exact big ids when signed correctly', async () => {
    const c = client();
    const seen = new Map<string, Record<string, unknown>>();
    let page: Awaited<ReturnType<JackyunClient['fetchPage']>> | undefined;
    let token: { index: number; cursor?: string } | null = null;
    do {
      page = await c.fetchPage({
        entity: 'sales-order',
        from: WEEK_AGO,
        to: new Date(NOW),
        params: {},
        pageSize: 15,
        page: token,
      });
      for (const r of page.records) seen.set(r.sourceId, r.payload);
      token = page.next;
    } while (token);
    const held = sim.admin.records('trades') as {
      id: string;
      versions: { data: { tradeId: string; gmtModified: string } }[];
    }[];
    expect(page.total).toBe(held.length);
    expect([...seen.keys()].sort()).toEqual(held.map((h) => h.id).sort());
    const first = held[0]!.versions.at(-1)!.data;
    expect(seen.get(first.tradeId)).toMatchObject({
      TradeId: first.tradeId,
      GmtModified: first.gmtModified,
    });
    expect(typeof seen.get(first.tradeId)?.['GoodsDetail']).toBe('object');
  });

  it('should read 19-digit channel ids beyond 2^53 exactly as the simulator holds them', async () => {
    const page = await client().fetchPage({
      entity: 'sales-channel',
      from: new Date(NOW - 400 * 86_400_000),
      to: new Date(NOW),
      params: {},
      page: null,
    });
    const held = (sim.admin.records('channels') as { id: string }[]).map(
      (h) => h.id,
    );
    const read = page.records.map((r) => r.sourceId);
    expect(read.length).toBeGreaterThan(0);
    for (const id of read) {
      expect(id).toMatch(/^\d{19}$/);
      // A plain JSON.parse would have rounded it to the nearest double.
      expect(Number.isSafeInteger(Number(id))).toBe(false);
      expect(held).toContain(id);
    }
    const payload = page.records[0]?.payload ?? {};
    expect(Object.values(payload)).toContain(read[0]);
  });

  it('should throw an auth error when the secret is wrong', async () => {
    const err = await client({
      credentials: { appKey: APPKEY, appSecret: 'wrong' },
    })
      .fetchPage({
        entity: 'sales-order',
        from: WEEK_AGO,
        to: new Date(NOW),
        params: {},
        page: null,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JackyunRequestError);
    expect((err as JackyunRequestError).kind).toBe('auth');
  });

  it('should throw a transient error when the gateway answers 未知错误', async () => {
    sim.admin.setFaults({ errorRate: 1 });
    try {
      const err = await client()
        .fetchPage({
          entity: 'sales-order',
          from: WEEK_AGO,
          to: new Date(NOW),
          params: {},
          page: null,
        })
        .catch((e: unknown) => e);
      expect((err as JackyunRequestError).kind).toBe('transient');
    } finally {
      sim.admin.setFaults({ errorRate: 0 });
    }
  });

  it('should name the request id and the bad field when a record fails validation', async () => {
    const corrupting: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      const body = (await res.text()).replace(
        /\\"GmtModified\\":\\"[^\\]*\\"/,
        '\\"GmtModified\\":42',
      );
      return new Response(body, { status: res.status });
    };
    const err = (await client({ fetch: corrupting })
      .fetchPage({
        entity: 'sales-order',
        from: WEEK_AGO,
        to: new Date(NOW),
        params: {},
        page: null,
      })
      .catch((e: unknown) => e)) as JackyunRequestError;
    expect(err.kind).toBe('invalid_response');
    expect(err.fieldPath).toMatch(/^result\.data\.Trades\[\d+\]\.GmtModified$/);
    expect(err.requestId).toMatch(/[0-9a-f-]{36}/);
  });

  /** Every order of the retail flow's query (modified-time window) over the week. */
  async function readAll(c: JackyunClient): Promise<Map<string, unknown>> {
    const out = new Map<string, unknown>();
    let token: { index: number; cursor?: string } | null = null;
    do {
      const page = await c.fetchPage({
        entity: 'sales-order',
        from: WEEK_AGO,
        to: new Date(NOW),
        params: { tradeStatusList: '6000,9090', tradeType: 1 },
        pageSize: 10,
        page: token,
      });
      for (const r of page.records) out.set(r.sourceId, r.payload);
      token = page.next;
    } while (token);
    return out;
  }

  it('should read the same orders through 吉客云·奇门 (/router/qm, TOP sign + jkysign) as through the direct gateway when qimen is configured', async () => {
    // Arrange
    const paths: string[] = [];
    const viaQimenClient = client({
      qimen: QIMEN,
      fetch: (input, init) => {
        paths.push(new URL(String(input)).pathname);
        return fetch(input, init);
      },
    });

    // Act
    const viaQimen = await readAll(viaQimenClient);
    const direct = await readAll(client());

    // Assert
    expect(viaQimen.size).toBeGreaterThan(3);
    expect(viaQimen).toEqual(direct);
    expect(new Set(paths)).toEqual(new Set(['/router/qm']));
  });

  it('should throw an auth error when the Qimen secret is wrong', async () => {
    const err = (await client({ qimen: { ...QIMEN, appSecret: 'nope' } })
      .fetchPage({
        entity: 'sales-order',
        from: WEEK_AGO,
        to: new Date(NOW),
        params: {},
        page: null,
      })
      .catch((e: unknown) => e)) as JackyunRequestError;
    expect(err).toBeInstanceOf(JackyunRequestError);
    expect(err.kind).toBe('auth');
    expect(err.message).toContain('sign-check-failure');
  });
});
