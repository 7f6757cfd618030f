import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { formatBeijing } from '../../common';
import {
  qimenSign,
  wdtSign,
  wdtSignString as wdtSignInput,
} from '@kingbridge/source-wdt/protocol';
import { startWdtSimulator, type WdtOptions } from '../wdt/wdt.simulator';
import type { SourceSimulator } from '../source-kit';

// Test-local signer written from reference §2.3.
function sign(params: Record<string, string>, secret: string): string {
  const text =
    Object.keys(params)
      .filter((k) => k !== 'sign')
      .sort()
      .map(
        (k) =>
          `${String([...k].length).padStart(2, '0')}-${k}:${String([...params[k]!].length).padStart(4, '0')}-${params[k]}`,
      )
      .join(';') + secret;
  return createHash('md5').update(text).digest('hex');
}

const NOW = Date.parse('2026-05-10T04:00:00Z');
let now = NOW;
let sim: SourceSimulator | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
  now = NOW;
});

async function start(options: WdtOptions = {}): Promise<SourceSimulator> {
  sim = await startWdtSimulator({
    anchor: NOW,
    initialRecords: 300,
    rateLimit: { perSecond: 0 },
    clock: () => now,
    ...options,
  });
  return sim;
}

async function call(
  s: SourceSimulator,
  business: Record<string, string>,
  opts: { secret?: string; timestamp?: number } = {},
): Promise<Record<string, unknown>> {
  const params: Record<string, string> = {
    sid: 'demo_sid',
    appkey: 'demo_key',
    timestamp: String(Math.floor((opts.timestamp ?? now) / 1000)),
    ...business,
  };
  params['sign'] = sign(params, opts.secret ?? 'demo_secret');
  const res = await fetch(`${s.url}/openapi2/stockout_order_query_trade.php`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  expect(res.headers.get('content-type')).toContain('application/json');
  return (await res.json()) as Record<string, unknown>;
}

const window = (
  days: number,
  extra: Record<string, string> = {},
): Record<string, string> => ({
  start_time: formatBeijing(NOW - days * 86_400_000),
  end_time: formatBeijing(NOW),
  ...extra,
});

type Stockout = Record<string, unknown> & {
  details_list: Record<string, unknown>[];
};

describe('wdt simulator', () => {
  it('should match the reference sign vector', () => {
    const params = {
      sid: 'demo_sid',
      appkey: 'demo_key',
      timestamp: '1700000000',
      start_time: '2024-01-01 00:00:00',
      end_time: '2024-01-01 01:00:00',
      page_no: '0',
      page_size: '100',
    };
    expect(wdtSignInput(params, 'demo_secret')).toBe(
      '06-appkey:0008-demo_key;08-end_time:0019-2024-01-01 01:00:00;07-page_no:0001-0;09-page_size:0003-100;03-sid:0008-demo_sid;10-start_time:0019-2024-01-01 00:00:00;09-timestamp:0010-1700000000demo_secret',
    );
    expect(wdtSign(params, 'demo_secret')).toBe(
      'aa122a3cbfdf75a72350ac6ded56eca4',
    );
    expect(sign(params, 'demo_secret')).toBe(
      'aa122a3cbfdf75a72350ac6ded56eca4',
    );
  });

  it('should answer a signed query with stock-outs, details and total_count on page 0 only', async () => {
    const s = await start();
    const first = await call(s, window(5, { page_no: '0', page_size: '20' }));
    expect(first).toMatchObject({ code: 0 });
    expect(first['total_count']).toBeGreaterThan(20);
    const list = first['stockout_list'] as Stockout[];
    expect(list).toHaveLength(20);
    for (const so of list) {
      expect([95, 105, 110, 113]).toContain(so['status']);
      expect(so).toHaveProperty('consign_time');
      expect(so).toHaveProperty('fenxiao_nick');
      expect(so).toHaveProperty('logistics_no');
      expect(so.details_list.length).toBeGreaterThan(0);
    }
    const gifts = list
      .flatMap((so) => so.details_list)
      .filter((d) => d['gift_type'] !== 0);
    expect(gifts.length).toBeGreaterThan(0);
    for (const g of gifts) expect(g['sell_price']).toBe('0.0000');
    const second = await call(s, window(5, { page_no: '1', page_size: '20' }));
    expect(second['total_count']).toBe(0);
  });

  it('should refuse a bad sign and a timestamp more than 5 minutes off', async () => {
    const s = await start();
    expect(await call(s, window(1), { secret: 'nope' })).toMatchObject({
      code: 1040,
    });
    expect(
      await call(s, window(1), { timestamp: now - 301_000 }),
    ).toMatchObject({ code: 1030 });
    expect(
      await call(s, window(1), { timestamp: now + 299_000 }),
    ).toMatchObject({ code: 0 });
  });

  it('should page from 0 completely, bound page_size to 100 and refuse windows over 30 days', async () => {
    const s = await start();
    const total = (await call(s, window(9)))['total_count'] as number;
    const ids = new Set<unknown>();
    for (let page = 0; ; page++) {
      const list = (
        await call(s, window(9, { page_no: String(page), page_size: '100' }))
      )['stockout_list'] as Stockout[];
      expect(list.length).toBeLessThanOrEqual(100);
      for (const so of list) ids.add(so['stockout_id']);
      if (list.length < 100) break;
    }
    expect(ids.size).toBe(total);
    expect(await call(s, window(1, { page_size: '101' }))).toMatchObject({
      code: 2900,
    });
    expect(
      await call(s, {
        start_time: '2026-04-01 00:00:00',
        end_time: '2026-05-01 00:00:01',
      }),
    ).toMatchObject({ code: 2900 });
    expect(await call(s, { page_no: '0' })).toMatchObject({
      code: 2900,
      message: '时间范围与订单编号不能全部为空',
    });
  });

  it('should filter by modified time when status < 95 is asked for', async () => {
    const s = await start();
    const res = await call(s, window(9, { status: '5,55', page_size: '100' }));
    const list = res['stockout_list'] as Stockout[];
    expect(list.length).toBeGreaterThan(0);
    for (const so of list) expect([5, 55]).toContain(so['status']);
    expect(
      list.some((so) => so['consign_time'] === '0000-00-00 00:00:00'),
    ).toBe(true);
  });

  it('should cancel some shipped stock-outs later, seen by a status=5 query by modified time and no more by status=95', async () => {
    const s = await start({ arrivalsPerMinute: 0, modificationsPerMinute: 60 });
    const ids = async (q: Record<string, string>): Promise<Stockout[]> => {
      const res = await call(s, { ...q, page_size: '100' });
      expect(res['code']).toBe(0);
      return res['stockout_list'] as Stockout[];
    };
    const shipped = new Set(
      (await ids(window(9, { status: '95' }))).map((so) => so['stockout_id']),
    );
    now += 60 * 60_000;
    const cancelled = (
      await ids({
        start_time: formatBeijing(NOW),
        end_time: formatBeijing(now),
        status: '5',
      })
    ).filter((so) => shipped.has(so['stockout_id']));
    expect(cancelled.length).toBeGreaterThan(0);
    for (const so of cancelled) {
      expect(so['status']).toBe(5);
      expect(so['consign_time']).not.toBe('0000-00-00 00:00:00');
    }
    const stillShipped = new Set(
      (
        await ids({
          start_time: formatBeijing(NOW - 9 * 86_400_000),
          end_time: formatBeijing(now),
          status: '95',
        })
      ).map((so) => so['stockout_id']),
    );
    for (const so of cancelled)
      expect(stillShipped.has(so['stockout_id'])).toBe(false);
  });

  it('should serve the Qimen variant with an uppercase TOP sign and a response wrapper', async () => {
    const s = await start();
    const qimen = async (
      business: Record<string, string>,
      tamper?: (p: Record<string, string>) => void,
    ): Promise<Record<string, unknown>> => {
      const p: Record<string, string> = {
        method: 'wdt.stockout.order.query.trade',
        app_key: 'demo_qm_key',
        target_app_key: 'demo_target_key',
        sid: 'demo_sid',
        format: 'json',
        v: '2.0',
        sign_method: 'md5',
        timestamp: formatBeijing(now),
        ...business,
      };
      // Test-local TOP signer (reference §2.7).
      const text = Object.keys(p)
        .sort()
        .reduce((acc, k) => acc + k + p[k], 'demo_qm_secret');
      p['sign'] = createHash('md5')
        .update(text + 'demo_qm_secret')
        .digest('hex')
        .toUpperCase();
      tamper?.(p);
      const res = await fetch(`${s.url}/router/qm`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(p).toString(),
      });
      return ((await res.json()) as { response: Record<string, unknown> })
        .response;
    };
    const ok = await qimen(window(2, { page_no: '0', page_size: '10' }));
    expect(ok['errorcode']).toBe(0);
    expect(ok['total_count']).toBeGreaterThan(0);
    expect((ok['stockout_list'] as unknown[]).length).toBe(10);
    const lower = await qimen(window(2), (p) => {
      p['sign'] = p['sign']!.toLowerCase();
    });
    expect(lower).toMatchObject({
      flag: 'failure',
      code: 'sign-check-failure',
    });
    expect(qimenSign({ a: '1' }, 's')).toBe(
      createHash('md5').update('sa1s').digest('hex').toUpperCase(),
    );
    const business = await qimen({ page_no: '0' });
    expect(business).toMatchObject({ errorcode: 2900 });
  });

  it('should throttle over the configured rate', async () => {
    const s = await start({ rateLimit: { perSecond: 2 } });
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await call(s, window(1)))['code']);
    expect(codes).toEqual([0, 0, 1070, 1070]);
  });

  it('should deliver records twice across pages when duplicateRate is set', async () => {
    const s = await start({ faults: { duplicateRate: 0.1 } });
    const total = (await call(s, window(9)))['total_count'] as number;
    const rows: unknown[] = [];
    for (let page = 0; page * 50 < total; page++) {
      const list = (
        await call(s, window(9, { page_no: String(page), page_size: '50' }))
      )['stockout_list'] as Stockout[];
      expect(list.length).toBeLessThanOrEqual(50);
      rows.push(...list.map((so) => so['stockout_id']));
    }
    expect(rows.length).toBe(total);
    const distinct = new Set(rows).size;
    expect(rows.length - distinct).toBeGreaterThan(0);
    expect((rows.length - distinct) / distinct).toBeGreaterThan(0.04);
    expect((rows.length - distinct) / distinct).toBeLessThan(0.2);
  });
});
