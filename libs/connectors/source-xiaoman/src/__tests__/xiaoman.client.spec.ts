import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Tests may start the simulators; production code never imports them.
import { startXiaomanSimulator } from '@kingbridge/simulators';
import { XiaomanClient } from '../xiaoman.client';
import { XiaomanRequestError } from '../xiaoman-request.error';

type Sim = Awaited<ReturnType<typeof startXiaomanSimulator>>;
const CREDS = { clientId: 'unit_client', clientSecret: 'unit_secret' };
const FROM = new Date(Date.now() - 6 * 86_400_000);

describe('XiaomanClient against the simulator', () => {
  let sim: Sim;
  const client = (
    overrides: Partial<ConstructorParameters<typeof XiaomanClient>[0]> = {},
  ) =>
    new XiaomanClient({
      baseUrl: sim.url,
      credentials: CREDS,
      timeoutMs: 2000,
      ...overrides,
    });

  beforeAll(async () => {
    sim = await startXiaomanSimulator({
      ...CREDS,
      initialRecords: 30,
      historyDays: 5,
      rateLimit: { perSecond: 0 },
      adminEnabled: true,
    });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('should read every order in full (with product_list) when authorised', async () => {
    const c = client();
    const seen = new Map<string, Record<string, unknown>>();
    let token: { index: number } | null = null;
    do {
      const page = await c.fetchPage({
        entity: 'sales-order',
        from: FROM,
        to: new Date(),
        params: {},
        pageSize: 12,
        page: token,
      });
      for (const r of page.records) seen.set(r.sourceId, r.payload);
      token = page.next;
    } while (token);
    const held = (
      sim.admin.records() as {
        id: string;
        versions: { data: Record<string, unknown> }[];
      }[]
    ).filter((h) => h.versions.at(-1)!.data['delete_time'] === '');
    expect(held.length).toBeGreaterThan(20);
    expect([...seen.keys()].sort()).toEqual(held.map((h) => h.id).sort());
    for (const h of held) {
      const { delete_time: _d, ...visible } = h.versions.at(-1)!.data;
      expect(seen.get(h.id)).toEqual(visible);
      expect(Array.isArray(seen.get(h.id)?.['product_list'])).toBe(true);
    }
  });

  it('should refresh the token once when the platform revoked it', async () => {
    const c = client();
    await c.fetchPage({
      entity: 'sales-order',
      from: FROM,
      to: new Date(),
      params: { details: 0 },
      pageSize: 5,
      page: null,
    });
    await fetch(`${sim.url}/__admin/revoke-tokens`, { method: 'POST' });
    const page = await c.fetchPage({
      entity: 'sales-order',
      from: FROM,
      to: new Date(),
      params: { details: 0 },
      pageSize: 5,
      page: null,
    });
    expect(page.records.length).toBe(5);
  });

  it('should throw an auth error when the client secret is wrong', async () => {
    const err = (await client({
      credentials: { ...CREDS, clientSecret: 'nope' },
    })
      .fetchPage({
        entity: 'sales-order',
        from: FROM,
        to: new Date(),
        params: {},
        page: null,
      })
      .catch((e: unknown) => e)) as XiaomanRequestError;
    expect(err).toBeInstanceOf(XiaomanRequestError);
    expect(err.kind).toBe('auth');
  });

  it('should throw an auth error when the scope does not cover orders', async () => {
    const err = (await client({ credentials: { ...CREDS, scope: 'company' } })
      .fetchPage({
        entity: 'sales-order',
        from: FROM,
        to: new Date(),
        params: {},
        page: null,
      })
      .catch((e: unknown) => e)) as XiaomanRequestError;
    expect(err.kind).toBe('auth');
    expect(err.message).toContain('no permission invoices scopes');
  });

  it("should send the seed's request params as written (status 0, no time_type added) and get every order", async () => {
    // Arrange
    const urls: URL[] = [];
    const c = client({
      fetch: (input, init) => {
        urls.push(new URL(String(input)));
        return fetch(input, init);
      },
    });

    // Act
    const page = await c.fetchPage({
      entity: 'sales-order',
      from: FROM,
      to: new Date(),
      params: { removed: 0, approval: 0, status: '0', details: 0 },
      pageSize: 50,
      page: null,
    });

    // Assert
    const list = urls.find((u) => u.pathname === '/v1/invoices/order/list');
    expect(list?.searchParams.get('status')).toBe('0');
    expect(list?.searchParams.get('removed')).toBe('0');
    expect(list?.searchParams.get('approval')).toBe('0');
    expect(list?.searchParams.has('time_type')).toBe(false);
    const live = (
      sim.admin.records() as {
        versions: { data: Record<string, unknown> }[];
      }[]
    ).filter((h) => h.versions.at(-1)!.data['delete_time'] === '');
    expect(page.records).toHaveLength(live.length);
  });
});
