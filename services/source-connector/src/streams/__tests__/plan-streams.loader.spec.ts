import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlanStreams, StreamConfigError } from '../plan-streams.loader';

const ORDERS_PLAN = `
id: jackyun-orders
source:
  platform: jackyun
  entity: sales-order
  stream: jackyun.sales-order.retail-shipped
  api: jackyun.tradenotsensitiveinfos.list.get
  idField: tradeNo
  pageSize: 200
  params:
    tradeType: 1
    isDelete: '0'
    startConsignTime: '{{LAST_SYNC_TIME|datetime}}'
    endConsignTime: '{{CURRENT_TIME|datetime}}'
    pageIndex: 0
    tradeStatusList: '6000,9090,9100'
  filters:
    - tradeStatus >= 6000
  schedule:
    intervalSeconds: 90
  remediation:
    cron: '30 1 * * *'
    lookbackDays: 3
target: {}
`;

const SHOPS_PLAN = `
source:
  platform: jackyun
  entity: sales-channel
  stream: jackyun.sales-channel.dsgl
  pageSize: 50
  params:
    gmtModifiedStart: '{{LAST_SYNC_TIME|datetime}}'
    gmtModifiedEnd: '{{CURRENT_TIME|datetime}}'
  filters:
    - - field: companyCode
        logic: eq
        value: DSGL
`;

const WDT_PLAN = `
source:
  platform: wdt
  entity: stockout-order
  stream: wdt.stockout-order.shipped
  params: { status: '95' }
  filters: ['status = 95']
`;

function plansDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'plans-'));
  for (const [name, text] of Object.entries(files))
    writeFileSync(join(dir, name), text);
  return dir;
}

describe('loadPlanStreams', () => {
  it('should turn plan source sections into streams of the platform when loading a plans folder', async () => {
    const dir = plansDir({
      'a.yaml': ORDERS_PLAN,
      'b.yaml': SHOPS_PLAN,
      'c.yaml': WDT_PLAN,
    });
    const streams = await loadPlanStreams(dir, 'jackyun');
    expect(streams).toHaveLength(2);
    expect(streams[0]).toMatchObject({
      id: 'jackyun.sales-order.retail-shipped',
      entity: 'sales-order',
      pageSize: 200,
      params: {
        tradeType: 1,
        isDelete: '0',
        tradeStatusList: '6000,9090,9100',
      },
      timeParams: { from: 'startConsignTime', to: 'endConsignTime' },
      remediationCron: '30 1 * * *',
      remediationDays: 3,
      pollIntervalSeconds: 90,
    });
    expect(streams[0]!.params).not.toHaveProperty('pageIndex');
    // A range filter is not turned into a hard-coded list: the plan's own tradeStatusList is sent.
    expect(Object.keys(streams[0]!.params).sort()).toEqual([
      'isDelete',
      'tradeStatusList',
      'tradeType',
    ]);
    expect(streams[1]).toMatchObject({
      id: 'jackyun.sales-channel.dsgl',
      params: { companyCode: 'DSGL' },
      timeParams: { from: 'gmtModifiedStart', to: 'gmtModifiedEnd' },
      remediationCron: '0 0 * * *',
      remediationDays: 7,
    });
    expect(await loadPlanStreams(dir, 'wdt')).toMatchObject([
      { id: 'wdt.stockout-order.shipped', params: { status: '95' } },
    ]);
  });

  it("should pull seed 000's retail trades by modified time with the seed's fields when loading the shipped plans", async () => {
    const streams = await loadPlanStreams(
      resolve(__dirname, '../../../../../plans'),
      'jackyun',
    );
    const retail = streams.find(
      (s) => s.id === 'jackyun.sales-order.retail-shipped',
    );
    expect(retail?.timeParams).toEqual({
      from: 'startModified',
      to: 'endModified',
    });
    expect(retail?.params['tradeType']).toBe('1');
    const fields = String(retail?.params['fields']).split(',');
    expect(fields).toEqual(
      expect.arrayContaining(['tradeNo', 'customerName', 'customerCode']),
    );
  });

  it('should read what leaves the filter with a second query on the same window when the plan names one', async () => {
    const exit = `${WDT_PLAN}  filterExit:\n    when: ['status = 5']\n    query: { status: '5' }\n`;
    const [stream] = await loadPlanStreams(plansDir({ 'a.yaml': exit }), 'wdt');
    expect(stream).toMatchObject({
      params: { status: '95' },
      exitQueries: [{ status: '5' }],
    });
    const shipped = await loadPlanStreams(
      resolve(__dirname, '../../../../../plans'),
      'wdt',
    );
    expect(shipped).toMatchObject([
      {
        id: 'wdt.stockout-order.shipped',
        params: { status: '95' },
        exitQueries: [{ status: '5' }],
      },
    ]);
  });

  it('should refuse an exit query that names the window or is empty, naming the file and field', async () => {
    const windowed = WDT_PLAN.replace(
      "  params: { status: '95' }",
      "  params: { status: '95', start_time: '{{LAST_SYNC_TIME|datetime}}', end_time: '{{CURRENT_TIME|datetime}}' }",
    );
    const dir = plansDir({
      'a.yaml': `${windowed}  filterExit:\n    query: { status: '5', end_time: x }\n`,
      'b.yaml': `${WDT_PLAN.replace('shipped', 'other')}  filterExit:\n    query: {}\n`,
    });
    const err = await loadPlanStreams(dir, 'wdt').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StreamConfigError);
    expect((err as StreamConfigError).issues).toEqual([
      expect.stringMatching(
        /a\.yaml: source\.filterExit\.query: end_time is filled by the connector/,
      ),
      expect.stringMatching(/b\.yaml: source\.filterExit\.query: empty/),
    ]);
  });

  it('should not pull the stream of a disabled plan', async () => {
    const dir = plansDir({
      'a.yaml': `enabled: false\n${ORDERS_PLAN}`,
      'b.yaml': SHOPS_PLAN,
    });
    const streams = await loadPlanStreams(dir, 'jackyun');
    expect(streams.map((s) => s.id)).toEqual(['jackyun.sales-channel.dsgl']);
  });

  it('should name the file and field when a source section is invalid', async () => {
    const dir = plansDir({
      'bad.yaml':
        'source:\n  platform: taobao\n  entity: sales-order\n  stream: x\n',
    });
    const err = await loadPlanStreams(dir, 'jackyun').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StreamConfigError);
    expect((err as Error).message).toMatch(/bad\.yaml: source\.platform/);
  });

  it('should refuse a remediation cron that cannot fire, naming the file, the field and the cron field', async () => {
    const dir = plansDir({
      'a.yaml': ORDERS_PLAN.replace(
        "cron: '30 1 * * *'",
        "cron: '30 25 * * *'",
      ),
    });
    const err = await loadPlanStreams(dir, 'jackyun').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StreamConfigError);
    expect((err as Error).message).toMatch(
      /a\.yaml: source: remediationCron: cron "30 25 \* \* \*": bad hour "25"/,
    );
  });

  it('should load the shipped plans for every platform without error', async () => {
    const dir = resolve(__dirname, '../../../../../plans');
    for (const platform of [
      'jackyun',
      'wdt',
      'jushuitan',
      'xiaoman',
    ] as const) {
      const streams = await loadPlanStreams(dir, platform);
      expect(streams.length, platform).toBeGreaterThan(0);
    }
  });
});
