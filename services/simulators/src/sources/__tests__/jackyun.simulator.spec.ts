import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { formatBeijing } from '../../common';
import { jackyunSign } from '@kingbridge/source-jackyun/protocol';
import {
  startJackyunSimulator,
  type JackyunOptions,
} from '../jackyun/jackyun.simulator';
import type { SourceSimulator } from '../source-kit';

// Test-local signer, written from reference §1.3 (independent of the simulator's verifier).
function sign(params: Record<string, string>, secret: string): string {
  const s = Object.keys(params)
    .filter((k) => k !== 'sign' && k !== 'contextid' && k !== 'token')
    .sort()
    .reduce((acc, k) => acc + k + params[k], secret);
  return createHash('md5')
    .update((s + secret).toLowerCase())
    .digest('hex');
}

const NOW = Date.parse('2026-05-10T04:00:00Z');
let sim: SourceSimulator | undefined;
let now = NOW;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
  now = NOW;
});

async function start(options: JackyunOptions = {}): Promise<SourceSimulator> {
  sim = await startJackyunSimulator({
    anchor: NOW,
    initialRecords: 400,
    rateLimit: { perSecond: 0 },
    clock: () => now,
    ...options,
  });
  return sim;
}

interface Call {
  method?: string;
  biz: unknown;
  secret?: string;
  timestamp?: string;
  tamper?: (p: Record<string, string>) => void;
}

async function call(
  s: SourceSimulator,
  c: Call,
): Promise<{ status: number; body: Record<string, unknown>; text: string }> {
  const params: Record<string, string> = {
    method: c.method ?? 'jackyun.tradenotsensitiveinfos.list.get',
    appkey: '12345678',
    version: 'v1.0',
    contenttype: 'json',
    timestamp: c.timestamp ?? formatBeijing(now),
    bizcontent: JSON.stringify(c.biz),
  };
  params['sign'] = sign(params, c.secret ?? 'DemoSecret');
  c.tamper?.(params);
  const res = await fetch(`${s.url}/open/openapi/do`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: JSON.parse(text) as Record<string, unknown>,
    text,
  };
}

const FIELDS =
  'tradeNo,tradeStatus,consignTime,shopcode,warehouseCode,goodsDetail.goodsNo,goodsDetail.sellCount,goodsDetail.sellPrice,goodsDetail.shareFavourableAfterFee,goodsDetail.isGift,tradeId';

interface TradesData {
  TotalResults?: number;
  ScrollId?: string;
  Trades: Record<string, unknown>[];
}
const dataOf = (body: Record<string, unknown>): TradesData => {
  const data = (body['result'] as { data: unknown }).data;
  return (typeof data === 'string' ? JSON.parse(data) : data) as TradesData;
};

const windowBiz = (
  extra: Record<string, unknown> = {},
): Record<string, unknown> => ({
  startConsignTime: formatBeijing(NOW - 3 * 86_400_000),
  endConsignTime: formatBeijing(NOW),
  fields: FIELDS,
  hasTotal: 1,
  ...extra,
});

/** The retail flow's own request (seed 000): its fields and trade type (the window is added by the test). */
function retailPlanBiz(): Record<string, unknown> {
  const plan = parseYaml(
    readFileSync(
      resolve(
        __dirname,
        '../../../../../plans/jackyun-retail-orders-to-k3cloud-outstock.yaml',
      ),
      'utf8',
    ),
  ) as { source: { params: Record<string, unknown> } };
  const { fields } = plan.source.params;
  return { fields, tradeType: 1 };
}

describe('jackyun simulator', () => {
  it("should answer the retail flow's request with the seed's fields: tradeNo and customer information, retail trades only", async () => {
    // Arrange
    const s = await start();

    // Act
    const res = await call(s, {
      biz: {
        ...retailPlanBiz(),
        startModified: formatBeijing(NOW - 3 * 86_400_000),
        endModified: formatBeijing(NOW),
        pageIndex: 0,
        pageSize: 200,
      },
    });

    // Assert
    const trades = dataOf(res.body).Trades;
    expect(trades.length).toBeGreaterThan(10);
    for (const t of trades) {
      expect(t).toMatchObject({
        TradeNo: expect.stringMatching(/^JY/),
        CustomerName: expect.any(String),
        CustomerCode: expect.stringMatching(/^KH/),
        TradeType: 1,
      });
      expect(String(t['CustomerName'])).not.toBe('');
    }
  });

  it('should match the reference test vector when signing', () => {
    const params = {
      appkey: '12345678',
      method: 'erp.sales.get',
      version: 'v1.0',
      contenttype: 'json',
      timestamp: '2024-01-01 12:00:00',
      bizcontent: '{"pageIndex":0,"pageSize":50}',
    };
    expect(jackyunSign(params, 'DemoSecret')).toBe(
      'dcf5d7ce076f1bac6b35c936882f64d2',
    );
    expect(sign(params, 'DemoSecret')).toBe('dcf5d7ce076f1bac6b35c936882f64d2');
  });

  it('should answer a correctly signed order query with PascalCase trades in a JSON-string data', async () => {
    const s = await start();
    const res = await call(s, {
      biz: windowBiz({ pageIndex: 0, pageSize: 50 }),
    });
    expect(res.status).toBe(200);
    expect(res.body['code']).toBe(200);
    expect(typeof (res.body['result'] as { data: unknown }).data).toBe(
      'string',
    );
    const data = dataOf(res.body);
    expect(data.Trades.length).toBe(50);
    const trade = data.Trades[0]!;
    expect(Object.keys(trade)).toEqual(
      expect.arrayContaining([
        'TradeNo',
        'TradeStatus',
        'ConsignTime',
        'Shopcode',
        'GoodsDetail',
        'TradeId',
      ]),
    );
    expect(typeof trade['TradeId']).toBe('string');
    expect(trade['TradeStatus']).toBeGreaterThanOrEqual(6000);
    const gifts = data.Trades.flatMap(
      (t) => t['GoodsDetail'] as Record<string, unknown>[],
    ).filter((l) => l['IsGift'] === 1);
    expect(gifts.length).toBeGreaterThan(0);
    for (const g of gifts) expect(g['SellPrice']).toBe(0);
  });

  it('should refuse a wrong signature, a case-changed sign input and an expired timestamp', async () => {
    const s = await start();
    const bad = await call(s, { biz: windowBiz(), secret: 'WrongSecret' });
    expect(bad.body).toMatchObject({ code: 0, subCode: '0130020004' });
    expect(String(bad.body['msg'])).toContain('签名错误');
    const expired = await call(s, {
      biz: windowBiz(),
      timestamp: formatBeijing(now - 11 * 60_000),
    });
    expect(expired.body).toMatchObject({ code: 0, subCode: '0130020005' });
    expect(String(expired.body['msg'])).toContain('时间戳');
    const utc = await call(s, {
      biz: windowBiz(),
      timestamp: new Date(now).toISOString().slice(0, 19).replace('T', ' '),
    });
    expect(utc.body['subCode']).toBe('0130020005');
    const renamed = await call(s, {
      biz: windowBiz(),
      tamper: (p) => {
        p['app_key'] = p['appkey']!;
        delete p['appkey'];
      },
    });
    expect(renamed.body).toMatchObject({ code: 0, subCode: '0130020003' });
  });

  it('should page completely with pageIndex from 0 and refuse pageSize over 200', async () => {
    const s = await start();
    const first = dataOf(
      (await call(s, { biz: windowBiz({ pageIndex: 0, pageSize: 200 }) })).body,
    );
    const total = first.TotalResults ?? 0;
    const seen = new Set<string>();
    for (let page = 0; ; page++) {
      const data = dataOf(
        (await call(s, { biz: windowBiz({ pageIndex: page, pageSize: 40 }) }))
          .body,
      );
      expect(data.Trades.length).toBeLessThanOrEqual(40);
      for (const t of data.Trades) seen.add(String(t['TradeNo']));
      if (data.Trades.length < 40) break;
    }
    expect(seen.size).toBe(total);
    const tooBig = await call(s, { biz: windowBiz({ pageSize: 201 }) });
    expect(tooBig.body).toMatchObject({ code: 0, subCode: '0130020327' });
  });

  it('should page with scrollId and reject a scrollId from another query', async () => {
    const s = await start();
    const seen: string[] = [];
    let scrollId = '';
    let firstCursor = '';
    for (;;) {
      const data = dataOf(
        (await call(s, { biz: windowBiz({ pageSize: 100, scrollId }) })).body,
      );
      for (const t of data.Trades) seen.push(String(t['TradeNo']));
      scrollId = data.ScrollId ?? '';
      firstCursor ||= scrollId;
      if (data.Trades.length < 100) break;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(
      dataOf((await call(s, { biz: windowBiz({ pageSize: 1 }) })).body)
        .TotalResults,
    );
    const other = await call(s, {
      biz: windowBiz({
        pageSize: 100,
        scrollId: firstCursor,
        tradeStatus: 9090,
      }),
    });
    expect(other.body['subCode']).toBe('0130020010');
    const resumed = dataOf(
      (await call(s, { biz: windowBiz({ pageSize: 100, scrollId: '' }) })).body,
    ).ScrollId;
    now += 601_000;
    const stale = await call(s, {
      biz: windowBiz({ pageSize: 100, scrollId: resumed }),
    });
    expect(stale.body['subCode']).toBe('0130020010');
  });

  it('should refuse a window over 7 days and a query without any time pair or number', async () => {
    const s = await start();
    const wide = await call(s, {
      biz: {
        startModified: '2026-05-01 00:00:00',
        endModified: '2026-05-08 00:00:01',
        fields: FIELDS,
      },
    });
    expect(wide.body).toMatchObject({ code: 0, subCode: '0130020008' });
    const none = await call(s, { biz: { fields: FIELDS, pageSize: 10 } });
    expect(none.body).toMatchObject({ code: 0, subCode: '0130020007' });
    const half = await call(s, {
      biz: { startModified: '2026-05-01 00:00:00', fields: FIELDS },
    });
    expect(half.body['code']).toBe(0);
  });

  it('should list shops with channelCode, companyCode and 64-bit channelId as bare JSON numbers', async () => {
    const s = await start();
    const res = await call(s, {
      method: 'erp.sales.get',
      biz: { pageIndex: '0', pageSize: '50' },
    });
    expect(res.body['code']).toBe(200);
    expect(res.text).toMatch(/"channelId":\d{19}[,}]/);
    const info = (
      res.body['result'] as {
        data: { salesChannelInfo: Record<string, unknown>[] };
      }
    ).data.salesChannelInfo;
    expect(info.length).toBe(24);
    expect(info.some((c) => c['companyCode'] === 'DSGL')).toBe(true);
    expect(info.some((c) => c['companyCode'] !== 'DSGL')).toBe(true);
    expect(info[0]).toHaveProperty('channelName');
  });

  it('should throttle over the configured rate with the throttle subCode', async () => {
    const s = await start({ rateLimit: { perSecond: 3 } });
    const codes: unknown[] = [];
    for (let i = 0; i < 5; i++)
      codes.push(
        (await call(s, { method: 'erp.sales.get', biz: {} })).body['subCode'],
      );
    expect(codes).toEqual(['', '', '', '0130020429', '0130020429']);
    now += 1000;
    expect(
      (await call(s, { method: 'erp.sales.get', biz: {} })).body['code'],
    ).toBe(200);
    expect(s.admin.stats().byOutcome.throttled).toBe(2);
  });

  it('should return deleted rows even when isDelete is 0, unless configured to honour it', async () => {
    const biz = {
      startModified: formatBeijing(NOW - 7 * 86_400_000),
      endModified: formatBeijing(NOW),
      fields: 'tradeNo,isDelete,tradeStatus',
      isDelete: '0',
      pageSize: 200,
    };
    const deleted = async (s: SourceSimulator): Promise<number> => {
      let n = 0;
      for (let page = 0; ; page++) {
        const data = dataOf(
          (await call(s, { biz: { ...biz, pageIndex: page } })).body,
        );
        n += data.Trades.filter((t) => t['IsDelete'] === 1).length;
        if (data.Trades.length < 200) return n;
      }
    };
    expect(await deleted(await start())).toBeGreaterThan(0);
    await sim?.close();
    expect(await deleted(await start({ honourIsDeleteFilter: true }))).toBe(0);
  });

  it('should make records drift while a client pages when driftPerPage is set', async () => {
    const s = await start({ driftPerPage: 5 });
    const biz = {
      startModified: formatBeijing(NOW - 5 * 86_400_000),
      endModified: formatBeijing(NOW + 3_600_000),
      fields: 'tradeNo,gmtModified',
      hasTotal: 1,
    };
    const seen = new Set<string>();
    let rows = 0;
    for (let page = 0; ; page++) {
      now += 1000;
      const data = dataOf(
        (await call(s, { biz: { ...biz, pageIndex: page, pageSize: 50 } }))
          .body,
      );
      rows += data.Trades.length;
      for (const t of data.Trades) seen.add(String(t['TradeNo']));
      if (data.Trades.length < 50) break;
    }
    // Modified records move to the end of the modified-time order: some show up twice, others are skipped.
    expect(rows).toBeGreaterThan(seen.size);
    const versions = s.admin
      .records('trades')
      .filter((r) => r.versions.length > 1);
    expect(versions.length).toBeGreaterThan(0);
    const wire = s.admin.records('trades', 'wire')[0]?.versions[0]?.data as {
      TradeNo: string;
      GoodsDetail: { GoodsNo: string }[];
    };
    expect(wire.TradeNo).toMatch(/^JY/);
    expect(wire.GoodsDetail[0]?.GoodsNo).toMatch(/^SP/);
  });
});
