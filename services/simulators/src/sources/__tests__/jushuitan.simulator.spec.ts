import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { formatBeijing } from '../../common';
import { jushuitanSign } from '@kingbridge/source-jushuitan/protocol';
import {
  startJushuitanSimulator,
  type JushuitanOptions,
} from '../jushuitan/jushuitan.simulator';
import type { SourceSimulator } from '../source-kit';

const SECRET = 'e9c5ca33fecb404b8e6cdbd0ef4a6d25';
const APP_KEY = '5b53060f23d84ddf9703056e84fa5a2d';
const TOKEN = 'd7b01bf0842a4742a9450e21ffd95f60';

// Test-local signer written from reference §3.3.
function sign(params: Record<string, string>, secret: string): string {
  const body = Object.keys(params)
    .filter((k) => k !== 'sign')
    .sort()
    .map((k) => k + params[k])
    .join('');
  return createHash('md5')
    .update(secret + body)
    .digest('hex');
}

const NOW = Date.parse('2026-05-10T04:00:00Z');
let now = NOW;
let sim: SourceSimulator | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
  now = NOW;
});

async function start(options: JushuitanOptions = {}): Promise<SourceSimulator> {
  sim = await startJushuitanSimulator({
    anchor: NOW,
    initialRecords: 200,
    rateLimit: { perSecond: 0, perMinute: 0 },
    clock: () => now,
    ...options,
  });
  return sim;
}

async function call(
  s: SourceSimulator,
  biz: Record<string, unknown>,
  opts: { secret?: string; timestamp?: number; token?: string } = {},
): Promise<{
  code: number;
  msg: string;
  data: {
    page_index: number;
    page_size: number;
    data_count: number;
    page_count: number;
    has_next: boolean;
    datas: Record<string, unknown>[];
  };
}> {
  const params: Record<string, string> = {
    app_key: APP_KEY,
    access_token: opts.token ?? TOKEN,
    timestamp: String(Math.floor((opts.timestamp ?? now) / 1000)),
    charset: 'utf-8',
    version: '2',
    biz: JSON.stringify(biz),
  };
  params['sign'] = sign(params, opts.secret ?? SECRET);
  const res = await fetch(`${s.url}/open/inventory/count/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  return (await res.json()) as Awaited<ReturnType<typeof call>>;
}

const window = (
  days: number,
  extra: Record<string, unknown> = {},
): Record<string, unknown> => ({
  modified_begin: formatBeijing(NOW - days * 86_400_000),
  modified_end: formatBeijing(NOW),
  ...extra,
});

describe('jushuitan simulator', () => {
  it('should reproduce both published sign vectors', () => {
    const biz = {
      access_token: TOKEN,
      app_key: APP_KEY,
      timestamp: '1639128407',
      charset: 'utf-8',
      version: '2',
      biz: '{"page_index":"1","page_size":"100","nicks":["老板"]}',
    };
    expect(jushuitanSign(biz, SECRET)).toBe('395f5a78b446be465ac03a02491296c7');
    expect(sign(biz, SECRET)).toBe('395f5a78b446be465ac03a02491296c7');
    const token = {
      app_key: APP_KEY,
      grant_type: 'authorization_code',
      charset: 'utf-8',
      code: '123456',
      timestamp: '1639128407',
    };
    expect(jushuitanSign(token, SECRET)).toBe(
      '05e3a51e19e0883afd1882ccd309e0b9',
    );
  });

  it('should answer a signed count query with items, negative qty and 包材 remarks', async () => {
    const s = await start();
    const res = await call(s, window(7, { page_index: 1, page_size: 50 }));
    expect(res.code).toBe(0);
    expect(res.data.page_index).toBe(1);
    expect(res.data.datas.length).toBe(50);
    expect(res.data.has_next).toBe(true);
    const items = res.data.datas.flatMap(
      (d) => d['items'] as { qty: number }[],
    );
    expect(items.some((i) => i.qty < 0)).toBe(true);
    expect(
      res.data.datas.some((d) => String(d['remark']).includes('包材')),
    ).toBe(true);
  });

  it('should refuse a bad sign (10), a stale timestamp (140) and a bad token (100)', async () => {
    const s = await start();
    expect((await call(s, window(1), { secret: 'x' })).code).toBe(10);
    expect((await call(s, window(1), { timestamp: now - 901_000 })).code).toBe(
      140,
    );
    expect((await call(s, window(1), { timestamp: now - 899_000 })).code).toBe(
      0,
    );
    expect((await call(s, window(1), { token: 'expired' })).code).toBe(100);
  });

  it('should refuse an API not granted (190) and a client outside the IP whitelist (110)', async () => {
    const denied = await start({ grantedApis: [] });
    expect((await call(denied, window(1))).code).toBe(190);
    await denied.close();
    const walled = await start({ ipWhitelist: ['10.0.0.1'] });
    const res = await call(walled, window(1));
    expect(res.code).toBe(110);
    expect(res.msg).toContain('127.0.0.1');
  });

  it('should page from 1 until has_next is false, bounded to 50, and refuse windows over 7 days', async () => {
    const s = await start();
    const ids = new Set<unknown>();
    let total = 0;
    for (let page = 1; ; page++) {
      const res = await call(s, window(7, { page_index: page, page_size: 50 }));
      expect(res.data.datas.length).toBeLessThanOrEqual(50);
      total = res.data.data_count;
      for (const d of res.data.datas) ids.add(d['io_id']);
      if (!res.data.has_next) break;
    }
    expect(ids.size).toBe(total);
    expect((await call(s, window(1, { page_size: 51 }))).code).toBe(90);
    expect((await call(s, window(1, { page_index: 0 }))).code).toBe(90);
    expect((await call(s, window(7.001))).code).toBe(90);
    expect((await call(s, { page_index: 1 })).code).toBe(90);
    expect(
      (await call(s, { modified_begin: '2026-05-01 00:00:00' })).code,
    ).toBe(90);
  });

  it('should throttle with 199 over 5/s and 200 over 100/min', async () => {
    const s = await start({ rateLimit: { perSecond: 5, perMinute: 100 } });
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await call(s, window(1))).code);
    expect(codes).toEqual([0, 0, 0, 0, 0, 199]);
    now += 1000;
    const minute: number[] = [];
    for (let i = 0; i < 120; i++) {
      now += 250; // 4 per second: under 5/s
      minute.push((await call(s, window(1))).code);
    }
    expect(minute.filter((c) => c === 200).length).toBeGreaterThan(0);
    expect(minute.filter((c) => c === 199)).toHaveLength(0);
    expect(s.admin.stats().acceptedAt.length).toBe(100);
  });
});
