import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startJdySimulator, type JdySimulator } from '../jdy/jdy.simulator';
import { jdyAppSignature, jdySignature } from './k3cloud-test.signer';

interface Envelope<T = unknown> {
  errcode: number;
  description: string;
  data: T;
}

const LOSS = '/jdy/v2/scm/inv_check_loss_bill';

describe('JDY simulator', () => {
  let sim: JdySimulator;
  let clock = Date.now();
  let nonce = 1000;

  beforeEach(async () => {
    clock = Date.now();
    sim = await startJdySimulator({ admin: true }, { now: () => clock });
  });
  afterEach(async () => {
    await sim.close();
  });

  function signed(
    method: string,
    path: string,
    query: Record<string, string>,
    extra: Record<string, string> = {},
    secret = sim.options.clientSecret,
  ): Record<string, string> {
    nonce += 1;
    const ts = String(clock);
    return {
      'content-type': 'application/json',
      'X-Api-ClientID': sim.options.clientId,
      'X-Api-Auth-Version': '2.0',
      'X-Api-TimeStamp': ts,
      'X-Api-Nonce': String(nonce),
      'X-Api-SignHeaders': 'X-Api-TimeStamp,X-Api-Nonce',
      'X-Api-Signature': jdySignature(
        secret,
        method,
        path,
        query,
        String(nonce),
        ts,
      ),
      ...extra,
    };
  }

  async function call<T>(
    method: string,
    path: string,
    query: Record<string, string>,
    headers: Record<string, string>,
    body?: unknown,
  ): Promise<{ status: number; json: Envelope<T> }> {
    const qs = new URLSearchParams(query).toString();
    const res = await fetch(`${sim.url}${path}${qs ? `?${qs}` : ''}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Envelope<T> };
  }

  async function token(): Promise<{ token: string; domain: string }> {
    const authPath = '/jdyconnector/app_management/push_app_authorize';
    const q1 = { outerInstanceId: sim.options.outerInstanceId };
    const auth = await call<
      Array<{ appKey: string; appSecret: string; domain: string }>
    >('POST', authPath, q1, signed('POST', authPath, q1), {});
    const app = auth.json.data[0]!;
    const tokenPath = '/jdyconnector/app_management/kingdee_auth_token';
    const q2 = {
      app_key: app.appKey,
      app_signature: jdyAppSignature(app.appKey, app.appSecret),
    };
    const res = await call<Record<string, string>>(
      'GET',
      tokenPath,
      q2,
      signed('GET', tokenPath, q2),
    );
    expect(res.json.errcode).toBe(0);
    return { token: res.json.data['app-token']!, domain: app.domain };
  }

  function bill(
    billNo: string,
    entry: Record<string, unknown> = {},
  ): Record<string, unknown> {
    const m = sim.masterData();
    return {
      bill_no: billNo,
      bill_date: '2026-11-20',
      operation_key: 'audit',
      remark: '月度盘点',
      material_entity: [
        {
          material_id: m.materials[0]!.id,
          unit_id: m.materials[0]!.unitIds[0],
          stock_id: m.stocks[0]!.id,
          qty: 10,
          ...entry,
        },
      ],
    };
  }

  it('should save a loss bill and find it by number when the call is signed and carries an app-token', async () => {
    const { token: t, domain } = await token();
    const saved = await call<{
      ids: string[];
      id_number_map: Record<string, string>;
    }>(
      'POST',
      LOSS,
      {},
      signed('POST', LOSS, {}, { 'app-token': t, 'X-GW-Router-Addr': domain }),
      bill('PD123456'),
    );
    expect(saved.json.errcode).toBe(0);
    const id = saved.json.data.ids[0]!;
    expect(saved.json.data.id_number_map).toEqual({ [id]: 'PD123456' });

    const q = { number: 'PD123456' };
    const detail = await call<{ bill_no: string; bill_status: string }>(
      'GET',
      `${LOSS}_detail`,
      q,
      signed('GET', `${LOSS}_detail`, q, {
        'app-token': t,
        'X-GW-Router-Addr': domain,
      }),
    );
    expect(detail.json.data).toMatchObject({
      bill_no: 'PD123456',
      bill_status: 'C',
    });
    const listQ = { search: 'PD123456', page: '1', page_size: '10' };
    const list = await call<{ count: string }>(
      'GET',
      LOSS,
      listQ,
      signed('GET', LOSS, listQ, {
        'app-token': t,
        'X-GW-Router-Addr': domain,
      }),
    );
    expect(list.json.data.count).toBe('1');
  });

  it('should refuse a wrong signature, a stale timestamp and a missing token when the gateway checks them', async () => {
    const { token: t, domain } = await token();
    const wrong = await call(
      'POST',
      LOSS,
      {},
      signed(
        'POST',
        LOSS,
        {},
        { 'app-token': t, 'X-GW-Router-Addr': domain },
        'wrong-secret',
      ),
      bill('PD1'),
    );
    expect(wrong.status).toBe(519);
    const stale = signed(
      'POST',
      LOSS,
      {},
      { 'app-token': t, 'X-GW-Router-Addr': domain },
    );
    clock += 6 * 60_000;
    expect((await call('POST', LOSS, {}, stale, bill('PD2'))).status).toBe(519);
    const noToken = await call(
      'POST',
      LOSS,
      {},
      signed('POST', LOSS, {}, { 'X-GW-Router-Addr': domain }),
      bill('PD3'),
    );
    expect(noToken.json.errcode).not.toBe(0);
    const noRoute = await call(
      'POST',
      LOSS,
      {},
      signed('POST', LOSS, {}, { 'app-token': t }),
      bill('PD4'),
    );
    expect(noRoute.status).toBe(404);
    expect(sim.documents.list()).toHaveLength(0);
  });

  it('should answer a validation errcode when the unit does not belong to the material or the material is unknown', async () => {
    const { token: t, domain } = await token();
    const h = (): Record<string, string> =>
      signed('POST', LOSS, {}, { 'app-token': t, 'X-GW-Router-Addr': domain });
    const m = sim.masterData();
    const wrongUnit = await call(
      'POST',
      LOSS,
      {},
      h(),
      bill('PD5', {
        unit_id: m.units.find((u) => !m.materials[0]!.unitIds.includes(u.id))!
          .id,
      }),
    );
    expect(wrongUnit.json.errcode).toBe(2000002001);
    expect(wrongUnit.json.description).toContain('不是商品[SKU001]的计量单位');
    const unknown = await call(
      'POST',
      LOSS,
      {},
      h(),
      bill('PD6', { material_id: '999' }),
    );
    expect(unknown.json.description).toContain('商品[999]不存在');
    const dup1 = await call('POST', LOSS, {}, h(), bill('PD7'));
    const dup2 = await call('POST', LOSS, {}, h(), bill('PD7'));
    expect([dup1.json.errcode, dup2.json.errcode]).toEqual([0, 2000002001]);
    const docs = (await (
      await fetch(`${sim.url}/__admin/documents?billNo=PD7`)
    ).json()) as Array<{ writeCount: number; duplicateRejections: number }>;
    expect(docs).toEqual([
      expect.objectContaining({ writeCount: 1, duplicateRejections: 1 }),
    ]);
  });

  it('should refuse the token request when the app secret rotated', async () => {
    await fetch(`${sim.url}/__admin/rotate-app-secret`, { method: 'POST' });
    const tokenPath = '/jdyconnector/app_management/kingdee_auth_token';
    const q = {
      app_key: sim.options.appKey,
      app_signature: jdyAppSignature(sim.options.appKey, sim.options.appSecret),
    };
    const res = await call('GET', tokenPath, q, signed('GET', tokenPath, q));
    expect(res.json.errcode).toBe(1030002006);
  });

  it('should look a material id up by number when the base-data list is searched', async () => {
    const { token: t, domain } = await token();
    const q = { search: 'SKU002' };
    const res = await call<{
      count: string;
      rows: Array<{ id: string; number: string; unit_ids: string[] }>;
    }>(
      'GET',
      '/jdy/v2/bd/material',
      q,
      signed('GET', '/jdy/v2/bd/material', q, {
        'app-token': t,
        'X-GW-Router-Addr': domain,
      }),
    );
    expect(res.json.data.count).toBe('1');
    expect(res.json.data.rows[0]).toMatchObject({
      id: '1550000000000000002',
      number: 'SKU002',
    });
  });

  it('should answer HTTP 429 when the per-minute rate limit is used up', async () => {
    await sim.close();
    sim = await startJdySimulator(
      { rateLimitPerMinute: 2 },
      { now: () => clock },
    );
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      statuses.push(
        (await fetch(`${sim.url}/jdy/v2/scm/inv_check_loss_bill`)).status,
      );
    }
    expect(statuses).toEqual([519, 519, 429]);
    expect(sim.stats().rejectedRateLimited).toBe(1);
  });
});
