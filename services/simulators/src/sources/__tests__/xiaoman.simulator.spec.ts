import { afterEach, describe, expect, it } from 'vitest';
import {
  startXiaomanSimulator,
  type XiaomanOptions,
  type XiaomanSimulator,
} from '../xiaoman/xiaoman.simulator';

const NOW = Date.parse('2026-05-10T04:00:00Z');
let now = NOW;
let sim: XiaomanSimulator | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
  now = NOW;
});

async function start(options: XiaomanOptions = {}): Promise<XiaomanSimulator> {
  sim = await startXiaomanSimulator({
    anchor: NOW,
    initialRecords: 200,
    rateLimit: { perSecond: 0 },
    clock: () => now,
    ...options,
  });
  return sim;
}

async function token(
  s: XiaomanSimulator,
  body: Record<string, string> = {},
  form = false,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const payload = {
    grant_type: 'client_credentials',
    client_id: 'okki_client_id',
    client_secret: 'okki_client_secret',
    scope: 'invoices company',
    ...body,
  };
  const res = await fetch(`${s.url}/v1/oauth2/access_token`, {
    method: 'POST',
    headers: {
      'content-type': form
        ? 'application/x-www-form-urlencoded'
        : 'application/json',
    },
    body: form
      ? new URLSearchParams(payload).toString()
      : JSON.stringify(payload),
  });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown>,
  };
}

interface ListBody {
  code: number;
  message: string;
  data: { count: number; list: Record<string, unknown>[] };
}

async function get(
  s: XiaomanSimulator,
  path: string,
  query: Record<string, string>,
  bearer: string | undefined,
): Promise<{ status: number; body: ListBody }> {
  const res = await fetch(
    `${s.url}${path}?${new URLSearchParams(query).toString()}`,
    {
      headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
    },
  );
  return { status: res.status, body: (await res.json()) as ListBody };
}

describe('xiaoman simulator', () => {
  it('should issue a bearer token by JSON or form and keep it without extending it', async () => {
    const s = await start();
    const first = await token(s);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 28800,
    });
    now += 60_000;
    const again = await token(s, {}, true);
    expect(again.body['access_token']).toBe(first.body['access_token']);
    expect(again.body['expires_in']).toBe(28740);
    expect((await token(s, { client_secret: 'wrong' })).status).toBe(401);
  });

  it('should list orders without product_list and give product lines and exchange rates in info', async () => {
    const s = await start();
    const access = String((await token(s)).body['access_token']);
    const res = await get(
      s,
      '/v1/invoices/order/list',
      {
        start_time: '2026-05-01',
        end_time: '2026-05-10',
        count: '20',
        start_index: '1',
      },
      access,
    );
    expect(res.body.code).toBe(200);
    expect(res.body.data.count).toBeGreaterThan(20);
    expect(res.body.data.list).toHaveLength(20);
    const order = res.body.data.list[0]!;
    expect(order).not.toHaveProperty('product_list');
    expect(order).toHaveProperty('exchange_rate');
    const info = await get(
      s,
      '/v1/invoices/order/info',
      { order_id: String(order['order_id']) },
      access,
    );
    const detail = info.body.data as unknown as {
      product_list: { count: number; unit_price: number }[];
      exchange_rate: number;
      currency: string;
    };
    expect(detail.product_list.length).toBeGreaterThan(0);
    // Seed 004's convention: CNY per 100 units of the order currency (712.5), divided by 100 in the plan.
    const perUnit: Record<string, number> = {
      USD: 7.1826,
      EUR: 7.8412,
      GBP: 9.1305,
      CNY: 1,
    };
    expect(detail.exchange_rate).toBeCloseTo(
      (perUnit[detail.currency] as number) * 100,
      4,
    );
  });

  it('should refuse a missing, wrong, expired or revoked token with 401 and a token without the invoices scope', async () => {
    const s = await start({ tokenTtlSeconds: 60 });
    const q = { start_time: '2026-05-09', end_time: '2026-05-10' };
    expect((await get(s, '/v1/invoices/order/list', q, undefined)).status).toBe(
      401,
    );
    expect((await get(s, '/v1/invoices/order/list', q, 'nope')).body.code).toBe(
      401,
    );
    const access = String((await token(s)).body['access_token']);
    expect((await get(s, '/v1/invoices/order/list', q, access)).body.code).toBe(
      200,
    );
    now += 61_000;
    expect((await get(s, '/v1/invoices/order/list', q, access)).status).toBe(
      401,
    );
    const fresh = String((await token(s)).body['access_token']);
    expect(s.admin.revokeTokens()).toBeGreaterThan(0);
    expect((await get(s, '/v1/invoices/order/list', q, fresh)).status).toBe(
      401,
    );
    const noScope = String(
      (await token(s, { scope: 'company' })).body['access_token'],
    );
    const denied = await get(s, '/v1/invoices/order/list', q, noScope);
    expect(denied.body.message).toBe('no permission invoices scopes');
  });

  it('should page by start_index from 1 until count is reached and bound count', async () => {
    const s = await start({ maxCount: 100, maxWindowDays: 31 });
    const access = String((await token(s)).body['access_token']);
    const q = { start_time: '2026-04-25', end_time: '2026-05-10', count: '30' };
    const ids = new Set<unknown>();
    let total = Infinity;
    for (let index = 1; ids.size < total; index++) {
      const res = await get(
        s,
        '/v1/invoices/order/list',
        { ...q, start_index: String(index) },
        access,
      );
      total = res.body.data.count;
      expect(res.body.data.list.length).toBeLessThanOrEqual(30);
      if (res.body.data.list.length === 0) break;
      for (const o of res.body.data.list) ids.add(o['order_id']);
    }
    expect(ids.size).toBe(total);
    expect(
      (await get(s, '/v1/invoices/order/list', { ...q, count: '101' }, access))
        .body.code,
    ).toBe(400);
    expect(
      (
        await get(
          s,
          '/v1/invoices/order/list',
          { ...q, start_index: '0' },
          access,
        )
      ).body.code,
    ).toBe(400);
    expect(
      (
        await get(
          s,
          '/v1/invoices/order/list',
          { start_time: '2026-01-01', end_time: '2026-05-10' },
          access,
        )
      ).body.code,
    ).toBe(400);
  });

  it('should throttle with 429 over the configured rate', async () => {
    const s = await start({ rateLimit: { perSecond: 2 } });
    const access = String((await token(s)).body['access_token']);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push(
        (
          await get(
            s,
            '/v1/invoices/order/list',
            { start_time: '2026-05-09' },
            access,
          )
        ).status,
      );
    expect(statuses).toEqual([200, 200, 429]);
  });
});
