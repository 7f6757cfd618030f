import { pollUntil } from '@kingbridge/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  startK3WiseSimulator,
  type K3WiseSimulator,
} from '../k3wise/k3wise.simulator';

interface WiseAnswer<T = unknown> {
  StatusCode: number;
  Message: string;
  Data: T;
}

describe('K3 WISE simulator', () => {
  let sim: K3WiseSimulator;
  let clock = Date.now();

  beforeEach(async () => {
    clock = Date.now();
    sim = await startK3WiseSimulator({ admin: true }, { now: () => clock });
  });
  afterEach(async () => {
    await sim.close();
  });

  async function token(): Promise<string> {
    const res = await fetch(
      `${sim.url}/K3API/Token/Create?authorityCode=${sim.options.authorityCode}`,
    );
    const body = (await res.json()) as WiseAnswer<{
      Token: string;
      Validity: number;
    }>;
    expect(body.StatusCode).toBe(200);
    return body.Data.Token;
  }

  async function save(
    t: string,
    page1: Record<string, unknown>,
    page2: Array<Record<string, unknown>>,
  ): Promise<WiseAnswer<{ FBillNo: string; FInterID: number } | null>> {
    const res = await fetch(`${sim.url}/K3API/SO/Save?token=${t}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ Data: { Page1: [page1], Page2: page2 } }),
    });
    return (await res.json()) as WiseAnswer<{
      FBillNo: string;
      FInterID: number;
    } | null>;
  }

  const header = {
    FCancellation: 'false',
    Fdate: '2026-11-20',
    FCustID: { FNumber: '01.002', FName: '1' },
    FCurrencyID: { FNumber: 'USD' },
    FExchangeRate: '7.1',
  };
  const lines = [
    { FItemID: { FNumber: '1.01.001' }, FAuxQty: '12', FAuxTaxPrice: '8.50' },
    { FItemID: { FNumber: '1.02.001' }, FAuxQty: '3', FAuxTaxPrice: '0' },
  ];

  it('should save a sales order and list it by bill number when the token is valid', async () => {
    const t = await token();
    const body = await save(t, header, lines);
    expect(body.StatusCode).toBe(200);
    expect(body.Message).toContain(body.Data!.FBillNo);
    const res = await fetch(`${sim.url}/K3API/SO/GetList?token=${t}`, {
      method: 'POST',
      body: JSON.stringify({
        Data: {
          Top: '0',
          PageSize: '10',
          PageIndex: '1',
          Fields: 'FBillNo,FCustID',
          Filter: `[FBillNo] = '${body.Data!.FBillNo}'`,
        },
      }),
    });
    const list = (await res.json()) as WiseAnswer<{
      Total: number;
      DATA: unknown[];
    }>;
    expect(list.Data.DATA).toEqual([
      { FBillNo: body.Data!.FBillNo, FCustID: '01.002' },
    ]);
    const customers = await fetch(
      `${sim.url}/K3API/Customer/GetList?token=${t}`,
      {
        method: 'POST',
        body: JSON.stringify({ Data: { Filter: "[FName] like '%香茗%'" } }),
      },
    );
    const found = (await customers.json()) as WiseAnswer<{ DATA: unknown[] }>;
    expect(found.Data.DATA).toEqual([
      { FNumber: '01.003', FName: '深圳市香茗进出口有限公司' },
    ]);
  });

  it('should refuse a missing or expired token', async () => {
    expect((await save('nope', header, lines)).StatusCode).toBe(401);
    const t = await token();
    clock += 61 * 60_000;
    expect((await save(t, header, lines)).StatusCode).toBe(401);
    expect(sim.documents.list()).toHaveLength(0);
  });

  it('should reject unknown customer and material codes with the row number', async () => {
    const t = await token();
    const body = await save(t, { ...header, FCustID: { FNumber: '09.999' } }, [
      lines[0]!,
      { FItemID: { FNumber: '9.99' }, FAuxQty: '1' },
    ]);
    expect(body.StatusCode).toBe(500);
    expect(body.Message).toContain('购货单位代码[09.999]不存在');
    expect(body.Message).toContain('第2行物料代码[9.99]不存在');
    await fetch(`${sim.url}/__admin/master-data`, {
      method: 'POST',
      body: JSON.stringify({
        customers: [{ number: '09.999', name: '新客户' }],
        materials: [{ number: '9.99', name: '新品' }],
      }),
    });
    expect(
      (
        await save(t, { ...header, FCustID: { FNumber: '09.999' } }, [
          { FItemID: { FNumber: '9.99' }, FAuxQty: '1' },
        ])
      ).StatusCode,
    ).toBe(200);
  });

  it('should answer 503 when the concurrency limit is exceeded', async () => {
    await sim.close();
    sim = await startK3WiseSimulator({
      maxConcurrent: 1,
      faults: { queue: [{ fault: 'hang' }] },
    });
    const url = `${sim.url}/K3API/Token/Create?authorityCode=${sim.options.authorityCode}`;
    const abort = new AbortController();
    const held = fetch(url, { signal: abort.signal }).catch(() => 'aborted');
    await pollUntil(() => sim.stats().inFlight === 1, { intervalMs: 10 });
    const busy = await fetch(url);
    expect(busy.status).toBe(503);
    expect(((await busy.json()) as WiseAnswer).StatusCode).toBe(503);
    abort.abort();
    expect(await held).toBe('aborted');
    await pollUntil(() => sim.stats().inFlight === 0, { intervalMs: 10 });
    expect((await fetch(url)).status).toBe(200);
  });

  it('should fire injected errors at about the configured rate and log them', async () => {
    await fetch(`${sim.url}/__admin/faults`, {
      method: 'POST',
      body: JSON.stringify({ errorRate: 0.3, seed: 7 }),
    });
    const codes: number[] = [];
    for (let i = 0; i < 200; i += 1) {
      const res = await fetch(
        `${sim.url}/K3API/Token/Create?authorityCode=${sim.options.authorityCode}`,
      );
      codes.push(((await res.json()) as WiseAnswer).StatusCode);
    }
    const errors = codes.filter((c) => c === 500).length;
    expect(errors).toBeGreaterThan(40);
    expect(errors).toBeLessThan(80);
    const stats = (await (await fetch(`${sim.url}/__admin/stats`)).json()) as {
      requests: number;
      faults: { error?: number };
    };
    expect(stats).toMatchObject({ requests: 200, faults: { error: errors } });
    const log = (await (
      await fetch(`${sim.url}/__admin/requests`)
    ).json()) as Array<{ fault?: string }>;
    expect(log.filter((e) => e.fault === 'error')).toHaveLength(errors);
  });
});
