import { pollUntil } from '@kingbridge/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  startK3CloudSimulator,
  type K3CloudSimulator,
} from '../k3cloud/k3cloud.simulator';
import { loginBySignSign, sdkSignedHeaders } from './k3cloud-test.signer';

const AUTH = 'Kingdee.BOS.WebApi.ServicesStub.AuthService';
const DYN = 'Kingdee.BOS.WebApi.ServicesStub.DynamicFormService';
const USER = 'kingbridge';
const PASSWORD = 'Kb@2026!';

interface ResponseStatus {
  IsSuccess: boolean;
  ErrorCode?: number;
  MsgCode: number;
  Errors: Array<{ FieldName: string | null; Message: string; DIndex: number }>;
  SuccessEntitys: Array<{ Id: number; Number: string; DIndex: number }>;
}
interface SaveResult {
  Result: {
    ResponseStatus: ResponseStatus;
    Id?: number | string;
    Number?: string;
  };
}

async function post(
  sim: K3CloudSimulator,
  service: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${sim.baseUrl}${service}.common.kdsvc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

async function login(sim: K3CloudSimulator): Promise<string> {
  const res = await post(sim, `${AUTH}.ValidateUser`, {
    acctID: sim.acctId,
    username: USER,
    password: PASSWORD,
    lcid: 2052,
  });
  const body = (await res.json()) as {
    LoginResultType: number;
    KDSVCSessionId: string;
  };
  expect(body.LoginResultType).toBe(1);
  const cookies = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  expect(cookies).toContain(`kdservice-sessionid=${body.KDSVCSessionId}`);
  return cookies;
}

function outstock(
  billNo: string,
  overrides: Record<string, unknown> = {},
  entry: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    FID: 0,
    FBillNo: billNo,
    FBillTypeID: { FNUMBER: 'XSCKD01_SYS' },
    FDate: '2026-11-20',
    FStockOrgId: { FNumber: '100' },
    FSaleOrgId: { FNumber: '100' },
    FCustomerID: { FNumber: 'CUST0001' },
    SubHeadEntity: { FSettleCurrID: { FNumber: 'PRE001' } },
    FEntity: [
      {
        FMaterialID: { FNumber: 'SKU001' },
        FStockID: { FNumber: 'CK001' },
        FRealQty: 2,
        FTaxPrice: 39.9,
        ...entry,
      },
      {
        FMaterialID: { FNumber: 'GIFT001' },
        FStockID: { FNumber: 'CK001' },
        FRealQty: 1,
        FTaxPrice: 0,
        FIsFree: true,
      },
    ],
    ...overrides,
  };
}

async function batchSave(
  sim: K3CloudSimulator,
  cookie: string,
  models: unknown[],
  extra: Record<string, unknown> = {},
): Promise<SaveResult> {
  const res = await post(
    sim,
    `${DYN}.BatchSave`,
    {
      formid: 'SAL_OUTSTOCK',
      data: { Model: models, IsAutoSubmitAndAudit: 'true', ...extra },
    },
    { cookie },
  );
  return (await res.json()) as SaveResult;
}

describe('K3Cloud simulator', () => {
  let sim: K3CloudSimulator;
  let clock = Date.now();

  beforeEach(async () => {
    clock = Date.now();
    sim = await startK3CloudSimulator({ admin: true }, { now: () => clock });
  });
  afterEach(async () => {
    await sim.close();
  });

  it('should save a bill when the session comes from ValidateUser', async () => {
    const cookie = await login(sim);
    const res = await post(
      sim,
      `${DYN}.Save`,
      {
        formid: 'SAL_OUTSTOCK',
        data: JSON.stringify({ Model: outstock('XS-0001') }),
      },
      { cookie },
    );
    const body = (await res.json()) as SaveResult;
    expect(body.Result.ResponseStatus.IsSuccess).toBe(true);
    expect(body.Result.Number).toBe('XS-0001');
    expect(typeof body.Result.Id).toBe('number');
    expect(sim.documents.findByNumber('SAL_OUTSTOCK', 'XS-0001')?.status).toBe(
      'A',
    );
  });

  it('should refuse a wrong password and a call without a session when not logged in', async () => {
    const bad = await post(sim, `${AUTH}.ValidateUser`, {
      parameters: [sim.acctId, USER, 'wrong', 2052],
    });
    expect(
      ((await bad.json()) as { LoginResultType: number }).LoginResultType,
    ).toBe(0);
    const res = await post(sim, `${DYN}.Save`, {
      formid: 'SAL_OUTSTOCK',
      data: { Model: outstock('XS-0002') },
    });
    const body = (await res.json()) as SaveResult;
    expect(body.Result.ResponseStatus.MsgCode).toBe(1);
    expect(body.Result.ResponseStatus.Errors[0]?.Message).toBe(
      '会话信息已丢失，请重新登录',
    );
    expect(sim.documents.list()).toHaveLength(0);
  });

  it('should log in with LoginBySign and refuse a wrong signature when the sign is computed from the reference', async () => {
    const [app] = sim.options.apps;
    const ts = String(Math.floor(clock / 1000));
    const sign = loginBySignSign(
      sim.acctId,
      USER,
      app!.appId,
      app!.appSecret,
      ts,
    );
    const ok = await post(sim, `${AUTH}.LoginBySign`, {
      acctID: sim.acctId,
      username: USER,
      appId: app!.appId,
      timestamp: ts,
      sign,
      lcid: 2052,
    });
    const okBody = (await ok.json()) as {
      LoginResultType: number;
      KDSVCSessionId: string;
    };
    expect(okBody.LoginResultType).toBe(1);
    const save = await post(
      sim,
      `${DYN}.Save`,
      { formid: 'SAL_OUTSTOCK', data: { Model: outstock('XS-0003') } },
      { 'kdservice-sessionid': okBody.KDSVCSessionId },
    );
    expect(
      ((await save.json()) as SaveResult).Result.ResponseStatus.IsSuccess,
    ).toBe(true);

    const bad = await post(sim, `${AUTH}.LoginBySign`, {
      acctID: sim.acctId,
      username: USER,
      appId: app!.appId,
      timestamp: ts,
      sign: (sign.startsWith('0') ? '1' : '0') + sign.slice(1),
      lcid: 2052,
    });
    expect(
      ((await bad.json()) as { LoginResultType: number }).LoginResultType,
    ).toBe(-1);
    const bySecret = await post(sim, `${AUTH}.LoginByAppSecret`, {
      parameters: JSON.stringify([
        sim.acctId,
        USER,
        app!.appId,
        app!.appSecret,
        2052,
      ]),
    });
    expect(
      ((await bySecret.json()) as { LoginResultType: number }).LoginResultType,
    ).toBe(1);
  });

  it('should accept SDK signed headers without login and refuse a wrong X-Kd-Signature', async () => {
    const [app] = sim.options.apps;
    const path = `/k3cloud/${DYN}.BatchSave.common.kdsvc`;
    const headers = sdkSignedHeaders({
      appId: app!.appId,
      appSecret: app!.appSecret,
      acctId: sim.acctId,
      userName: USER,
      path,
    });
    const ok = await post(
      sim,
      `${DYN}.BatchSave`,
      { formid: 'SAL_OUTSTOCK', data: { Model: [outstock('XS-0004')] } },
      headers,
    );
    expect(
      ((await ok.json()) as SaveResult).Result.ResponseStatus.IsSuccess,
    ).toBe(true);
    expect(ok.headers.getSetCookie().join(';')).toContain(
      'kdservice-sessionid=',
    );

    const wrongSecret = sdkSignedHeaders({
      appId: app!.appId,
      appSecret: 'not-the-secret',
      acctId: sim.acctId,
      userName: USER,
      path,
    });
    const bad = await post(
      sim,
      `${DYN}.BatchSave`,
      { formid: 'SAL_OUTSTOCK', data: { Model: [outstock('XS-0005')] } },
      wrongSecret,
    );
    expect(
      ((await bad.json()) as SaveResult).Result.ResponseStatus.MsgCode,
    ).toBe(1);

    const wrongPath = sdkSignedHeaders({
      appId: app!.appId,
      appSecret: app!.appSecret,
      acctId: sim.acctId,
      userName: USER,
      path: '/k3cloud/other',
    });
    const badGateway = await post(
      sim,
      `${DYN}.BatchSave`,
      { formid: 'SAL_OUTSTOCK', data: { Model: [outstock('XS-0006')] } },
      wrongPath,
    );
    expect(
      ((await badGateway.json()) as SaveResult).Result.ResponseStatus.MsgCode,
    ).toBe(1);
    expect(sim.documents.list().map((d) => d.billNo)).toEqual(['XS-0004']);
  });

  it('should slide the session and answer MsgCode 1 when it expires', async () => {
    const cookie = await login(sim);
    const query = {
      data: {
        FormId: 'BD_MATERIAL',
        FieldKeys: 'FNumber',
        FilterString: "FNumber='SKU001'",
      },
    };
    clock += 19 * 60_000;
    expect(
      await (
        await post(sim, `${DYN}.ExecuteBillQuery`, query, { cookie })
      ).json(),
    ).toEqual([['SKU001']]);
    clock += 19 * 60_000;
    expect(
      await (
        await post(sim, `${DYN}.ExecuteBillQuery`, query, { cookie })
      ).json(),
    ).toEqual([['SKU001']]);
    clock += 21 * 60_000;
    const expired = (await (
      await post(sim, `${DYN}.ExecuteBillQuery`, query, { cookie })
    ).json()) as Array<Array<SaveResult>>;
    expect(expired[0]?.[0]?.Result.ResponseStatus.MsgCode).toBe(1);

    const again = await login(sim);
    await fetch(`${sim.url}/__admin/session-expire-now`, { method: 'POST' });
    const save = (await (
      await post(
        sim,
        `${DYN}.Save`,
        { formid: 'SAL_OUTSTOCK', data: { Model: outstock('XS-0007') } },
        { cookie: again },
      )
    ).json()) as SaveResult;
    expect(save.Result.ResponseStatus.MsgCode).toBe(1);
  });

  it('should answer a partial success with the bad row DIndex when one model of a batch is invalid', async () => {
    const cookie = await login(sim);
    const body = await batchSave(sim, cookie, [
      outstock('XS-1000'),
      outstock('XS-1001', {}, { FStockID: { FNumber: 'NO-SUCH-STOCK' } }),
      outstock('XS-1002'),
    ]);
    const status = body.Result.ResponseStatus;
    expect(status.IsSuccess).toBe(false);
    expect(status.ErrorCode).toBe(500);
    expect(status.Errors).toEqual([
      {
        FieldName: 'FStockID',
        Message: '单据体实体【明细信息】第【1】行分录，【仓库】字段必录',
        DIndex: 1,
      },
    ]);
    expect(status.SuccessEntitys.map((s) => [s.Number, s.DIndex])).toEqual([
      ['XS-1000', 0],
      ['XS-1002', 2],
    ]);
    expect(
      status.SuccessEntitys.every((s) => typeof s.Id === 'number' && s.Id > 0),
    ).toBe(true);
    expect(sim.documents.list().map((d) => [d.billNo, d.status])).toEqual([
      ['XS-1000', 'C'],
      ['XS-1002', 'C'],
    ]);
  });

  it('should number DIndex inside each server slice when BatchCount splits the batch', async () => {
    const cookie = await login(sim);
    const models = Array.from({ length: 6 }, (_, i) =>
      i === 4
        ? outstock(`XS-20${i}`, { FCustomerID: { FNumber: 'NOPE' } })
        : outstock(`XS-20${i}`),
    );
    const body = await batchSave(sim, cookie, models, { BatchCount: 2 });
    expect(body.Result.ResponseStatus.Errors).toEqual([
      { FieldName: 'FCustomerID', Message: '字段“客户”是必填项', DIndex: 1 },
    ]);
    expect(body.Result.ResponseStatus.SuccessEntitys).toHaveLength(5);
  });

  it('should reject an unknown number when IsVerifyBaseDataField is true and accept it after admin adds the material', async () => {
    const cookie = await login(sim);
    const model = outstock(
      'XS-3000',
      {},
      { FMaterialID: { FNumber: 'SKU999' } },
    );
    const first = await batchSave(sim, cookie, [model], {
      IsVerifyBaseDataField: true,
    });
    expect(first.Result.ResponseStatus.MsgCode).toBe(9);
    expect(first.Result.ResponseStatus.Errors[0]).toMatchObject({
      FieldName: 'FMaterialID',
      DIndex: 0,
    });

    const added = await fetch(`${sim.url}/__admin/master-data`, {
      method: 'POST',
      body: JSON.stringify({
        formId: 'BD_MATERIAL',
        records: [{ number: 'SKU999', name: '新品茶叶' }],
      }),
    });
    expect(added.status).toBe(200);
    const second = await batchSave(sim, cookie, [model], {
      IsVerifyBaseDataField: true,
    });
    expect(second.Result.ResponseStatus.IsSuccess).toBe(true);
  });

  it('should store an unresolvable optional reference as empty when base data is not verified', async () => {
    const cookie = await login(sim);
    const body = await batchSave(sim, cookie, [
      outstock('XS-3100', { FSalesManID: { FNumber: 'YW404' } }),
    ]);
    expect(body.Result.ResponseStatus.IsSuccess).toBe(true);
    const docs = (await (
      await fetch(`${sim.url}/__admin/documents?billNo=XS-3100`)
    ).json()) as Array<{ unresolvedRefs: string[] }>;
    expect(docs[0]?.unresolvedRefs).toEqual(['FSalesManID']);
  });

  it('should answer the uniqueness error with MsgCode 11 when the bill number is reused', async () => {
    const cookie = await login(sim);
    await batchSave(sim, cookie, [outstock('XS-4000')]);
    const again = await batchSave(sim, cookie, [outstock('XS-4000')]);
    expect(again.Result.ResponseStatus).toMatchObject({
      IsSuccess: false,
      ErrorCode: 500,
      MsgCode: 11,
      Errors: [
        {
          FieldName: 'FBillNo',
          Message:
            '违反字段唯一性要求：编码唯一。[XS-4000]在当前系统中已经被使用。',
          DIndex: 0,
        },
      ],
    });
    const docs = (await (
      await fetch(
        `${sim.url}/__admin/documents?formId=SAL_OUTSTOCK&billNo=XS-4000`,
      )
    ).json()) as Array<{
      writeCount: number;
      duplicateRejections: number;
      firstWrittenAt: string;
    }>;
    expect(docs).toHaveLength(1);
    expect(docs[0]).toMatchObject({ writeCount: 1, duplicateRejections: 1 });
    expect(Number.isNaN(Date.parse(docs[0]!.firstWrittenAt))).toBe(false);
  });

  it('should find a saved bill, its entries and master data when queried with ExecuteBillQuery', async () => {
    const cookie = await login(sim);
    await batchSave(sim, cookie, [outstock('XS-5000'), outstock('XS-5001')]);
    const q = async (data: Record<string, unknown>): Promise<unknown> =>
      (await post(sim, `${DYN}.ExecuteBillQuery`, { data }, { cookie })).json();

    const header = (await q({
      FormId: 'SAL_OUTSTOCK',
      FieldKeys: 'FID,FBillNo,FDocumentStatus,FCustomerID.FNumber',
      FilterString: "FBillNo = 'XS-5001'",
    })) as unknown[][];
    expect(header).toHaveLength(1);
    expect(header[0]?.slice(1)).toEqual(['XS-5001', 'C', 'CUST0001']);

    const entries = await q({
      FormId: 'SAL_OUTSTOCK',
      FieldKeys: 'FBillNo,FEntity_FSeq,FMaterialID.FNumber,FRealQty',
      FilterString: "FBillNo in ('XS-5000') and FRealQty > 1",
    });
    expect(entries).toEqual([['XS-5000', 1, 'SKU001', 2]]);

    expect(
      await q({
        FormId: 'BD_Customer',
        FieldKeys: 'FNumber,FName',
        FilterString: "FNumber like 'CUST000%' and FName = '京东自营店'",
      }),
    ).toEqual([['CUST0002', '京东自营店']]);
    expect(
      await q({
        FormId: 'SAL_OUTSTOCK',
        FieldKeys: 'FBillNo',
        FilterString: "FBillNo = 'NONE'",
      }),
    ).toEqual([]);

    const unknown = (await q({
      FormId: 'SAL_OUTSTOCK',
      FieldKeys: 'FBilNo',
      FilterString: '',
    })) as Array<Array<SaveResult>>;
    expect(unknown[0]?.[0]?.Result.ResponseStatus.MsgCode).toBe(9);
    const badForm = (await q({
      FormId: 'NOT_A_FORM',
      FieldKeys: 'FID',
    })) as Array<Array<SaveResult>>;
    expect(badForm[0]?.[0]?.Result.ResponseStatus.MsgCode).toBe(4);
  });

  it('should answer MsgCode 14 when more requests are in flight than the limit', async () => {
    await sim.close();
    sim = await startK3CloudSimulator({
      maxConcurrent: 2,
      faults: { queue: [{ fault: 'hang', pathContains: 'Save', count: 2 }] },
    });
    const cookie = await login(sim);
    const save = (i: number, signal?: AbortSignal): Promise<Response> =>
      fetch(`${sim.baseUrl}${DYN}.Save.common.kdsvc`, {
        method: 'POST',
        headers: { cookie },
        body: JSON.stringify({
          formid: 'SAL_OUTSTOCK',
          data: { Model: outstock(`XS-60${i}`) },
        }),
        ...(signal ? { signal } : {}),
      });
    // Two requests hang and hold both slots; every further one is over the limit.
    const abort = new AbortController();
    const held = [save(0, abort.signal), save(1, abort.signal)].map((p) =>
      p.catch(() => 'aborted'),
    );
    await pollUntil(() => sim.stats().inFlight === 2, { intervalMs: 10 });
    const rejected = await Promise.all(
      [2, 3, 4].map(
        async (i) =>
          ((await (await save(i)).json()) as SaveResult).Result.ResponseStatus,
      ),
    );
    expect(rejected.map((r) => [r.MsgCode, r.IsSuccess])).toEqual([
      [14, false],
      [14, false],
      [14, false],
    ]);
    abort.abort();
    expect(await Promise.all(held)).toEqual(['aborted', 'aborted']);
    await pollUntil(() => sim.stats().inFlight === 0, { intervalMs: 10 });
    const ok = (await (await save(5)).json()) as SaveResult;
    expect(ok.Result.ResponseStatus.IsSuccess).toBe(true);
    expect(sim.stats()).toMatchObject({
      maxConcurrent: 2,
      rejectedOverLimit: 3,
    });
  });

  it('should store the bill but lose the answer when the lost-response fault fires', async () => {
    const cookie = await login(sim);
    await fetch(`${sim.url}/__admin/faults`, {
      method: 'POST',
      body: JSON.stringify({
        queue: [{ fault: 'lost-response', pathContains: 'BatchSave' }],
      }),
    });
    await expect(
      batchSave(sim, cookie, [outstock('XS-7000')]),
    ).rejects.toThrow();
    const docs = (await (
      await fetch(`${sim.url}/__admin/documents?billNo=XS-7000`)
    ).json()) as unknown[];
    expect(docs).toHaveLength(1);
    const retry = await batchSave(sim, cookie, [outstock('XS-7000')]);
    expect(retry.Result.ResponseStatus.MsgCode).toBe(11);
  });

  it('should inject HTML pages, empty bodies and 503s when those faults are queued', async () => {
    const cookie = await login(sim);
    await fetch(`${sim.url}/__admin/faults`, {
      method: 'POST',
      body: JSON.stringify({
        queue: [
          { fault: 'html-error' },
          { fault: 'empty-body' },
          { fault: 'http-5xx' },
          { fault: 'error' },
        ],
      }),
    });
    const send = (): Promise<Response> =>
      post(
        sim,
        `${DYN}.Save`,
        { formid: 'SAL_OUTSTOCK', data: { Model: outstock('XS-8000') } },
        { cookie },
      );
    const html = await send();
    expect([html.status, html.headers.get('content-type')]).toEqual([
      502,
      'text/html; charset=utf-8',
    ]);
    const empty = await send();
    expect([empty.status, await empty.text()]).toEqual([200, '']);
    expect([500, 502, 503]).toContain((await send()).status);
    expect(
      ((await (await send()).json()) as SaveResult).Result.ResponseStatus
        .IsSuccess,
    ).toBe(false);
    expect(sim.documents.list()).toHaveLength(0);
  });

  it('should hide admin endpoints when admin is off', async () => {
    const closed = await startK3CloudSimulator();
    try {
      expect((await fetch(`${closed.url}/__admin/documents`)).status).toBe(404);
    } finally {
      await closed.close();
    }
  });

  it('should make a batch-saved customer referencable only once it is audited', async () => {
    const cookie = await login(sim);
    const customer = (n: string): Record<string, unknown> => ({
      FCUSTID: 0,
      FNumber: n,
      FName: `门店${n}`,
      FCreateOrgId: { FNumber: '100' },
      FUseOrgId: { FNumber: '100' },
    });
    const save = async (
      models: unknown[],
      audit: boolean,
    ): Promise<SaveResult> =>
      (
        await post(
          sim,
          `${DYN}.BatchSave`,
          {
            formid: 'BD_Customer',
            data: {
              Model: models,
              IsAutoSubmitAndAudit: audit,
              IsVerifyBaseDataField: false,
            },
          },
          { cookie },
        )
      ).json() as Promise<SaveResult>;
    expect(
      (await save([customer('SHOP-A')], true)).Result.ResponseStatus.IsSuccess,
    ).toBe(true);
    expect(
      (await save([customer('SHOP-B')], false)).Result.ResponseStatus.IsSuccess,
    ).toBe(true);
    const dup = await save([customer('SHOP-A')], true);
    expect(dup.Result.ResponseStatus.Errors[0]).toMatchObject({
      FieldName: 'FNumber',
      Message: '违反字段唯一性要求：编码唯一。[SHOP-A]在当前系统中已经被使用。',
    });

    const bills = await batchSave(sim, cookie, [
      outstock('XS-9000', { FCustomerID: { FNumber: 'SHOP-A' } }),
      outstock('XS-9001', { FCustomerID: { FNumber: 'SHOP-B' } }),
    ]);
    expect(
      bills.Result.ResponseStatus.SuccessEntitys.map((e) => e.Number),
    ).toEqual(['XS-9000']);
    expect(bills.Result.ResponseStatus.Errors).toEqual([
      { FieldName: 'FCustomerID', Message: '字段“客户”是必填项', DIndex: 1 },
    ]);
  });

  it('should accept the positional envelope with data as JSON text and reject a body that is not JSON', async () => {
    const cookie = await login(sim);
    const positional = await post(
      sim,
      `${DYN}.Save`,
      {
        parameters: [
          'SAL_OUTSTOCK',
          JSON.stringify({ Model: outstock('XS-9100') }),
        ],
      },
      { cookie },
    );
    expect(((await positional.json()) as SaveResult).Result.Number).toBe(
      'XS-9100',
    );
    const res = await fetch(`${sim.baseUrl}${DYN}.Save.common.kdsvc`, {
      method: 'POST',
      headers: { cookie },
      body: '{"formid":',
    });
    expect(res.status).toBe(200);
    expect(
      ((await res.json()) as SaveResult).Result.ResponseStatus.MsgCode,
    ).toBe(8);
  });

  it('should store the bill and never answer when the lost response is a hang', async () => {
    const cookie = await login(sim);
    await fetch(`${sim.url}/__admin/faults`, {
      method: 'POST',
      body: JSON.stringify({
        lostResponseMode: 'hang',
        queue: [{ fault: 'lost-response', pathContains: 'BatchSave' }],
      }),
    });
    const abort = new AbortController();
    let answered = false;
    const res = fetch(`${sim.baseUrl}${DYN}.BatchSave.common.kdsvc`, {
      method: 'POST',
      headers: { cookie },
      body: JSON.stringify({
        formid: 'SAL_OUTSTOCK',
        data: { Model: [outstock('XS-9200')] },
      }),
      signal: abort.signal,
    }).then(() => (answered = true));
    await pollUntil(
      () => sim.documents.findByNumber('SAL_OUTSTOCK', 'XS-9200') !== undefined,
      { intervalMs: 10, description: 'bill stored' },
    );
    expect(sim.stats().inFlight).toBe(1);
    abort.abort();
    await expect(res).rejects.toThrow();
    expect(answered).toBe(false);
  });

  it('should update only the fields the Model carries when saving with an existing FID', async () => {
    const cookie = await login(sim);
    const first = await batchSave(sim, cookie, [outstock('XS-9300')], {
      IsAutoSubmitAndAudit: false,
    });
    const id = first.Result.ResponseStatus.SuccessEntitys[0]!.Id;
    const rows = (await (
      await post(
        sim,
        `${DYN}.ExecuteBillQuery`,
        {
          data: {
            FormId: 'SAL_OUTSTOCK',
            FieldKeys: 'FEntity_FEntryId,FRealQty',
            FilterString: `FID = ${id}`,
            OrderString: 'FEntity_FSeq',
          },
        },
        { cookie },
      )
    ).json()) as number[][];
    const [entryId] = rows[0]!;
    const update = await post(
      sim,
      `${DYN}.Save`,
      {
        formid: 'SAL_OUTSTOCK',
        data: {
          NeedUpDateFields: ['FNote', 'FEntity', 'FRealQty'],
          IsDeleteEntry: false,
          Model: {
            FID: id,
            FNote: '改数量',
            FEntity: [{ FEntryID: entryId, FRealQty: 5 }],
          },
        },
      },
      { cookie },
    );
    expect(
      ((await update.json()) as SaveResult).Result.ResponseStatus.IsSuccess,
    ).toBe(true);
    const after = await (
      await post(
        sim,
        `${DYN}.ExecuteBillQuery`,
        {
          data: {
            FormId: 'SAL_OUTSTOCK',
            FieldKeys: 'FBillNo,FNote,FMaterialID.FNumber,FRealQty',
            FilterString: `FID = ${id}`,
          },
        },
        { cookie },
      )
    ).json();
    expect(after).toEqual([
      ['XS-9300', '改数量', 'SKU001', 5],
      ['XS-9300', '改数量', 'GIFT001', 1],
    ]);
    expect(sim.documents.findById('SAL_OUTSTOCK', id)?.writeCount).toBe(2);
  });

  it('should resolve the source catalog goods and warehouses when master data is the default', async () => {
    const cookie = await login(sim);
    const body = await batchSave(
      sim,
      cookie,
      [
        outstock(
          'XS-9400',
          {},
          {
            FMaterialID: { FNumber: 'SP1001' },
            FStockID: { FNumber: 'CK004' },
            FUnitID: { FNumber: 'Box' },
          },
        ),
      ],
      { IsVerifyBaseDataField: true },
    );
    expect(body.Result.ResponseStatus.IsSuccess).toBe(true);
  });

  it('should audit a submitted bill once and answer 单据已经审核 when audited again', async () => {
    const cookie = await login(sim);
    await batchSave(sim, cookie, [outstock('XS-9500')], {
      IsAutoSubmitAndAudit: false,
    });
    const op = async (
      name: string,
    ): Promise<
      SaveResult & {
        Result: {
          ResponseStatus: { SuccessMessages: Array<{ Message: string }> };
        };
      }
    > =>
      (
        await post(
          sim,
          `${DYN}.${name}`,
          { formid: 'SAL_OUTSTOCK', data: { Numbers: ['XS-9500'] } },
          { cookie },
        )
      ).json() as never;
    expect((await op('Submit')).Result.ResponseStatus.IsSuccess).toBe(true);
    const audited = await op('Audit');
    expect(audited.Result.ResponseStatus.SuccessMessages[0]?.Message).toBe(
      '单据编号为“XS-9500”的销售出库单，审核成功！',
    );
    const again = await op('Audit');
    expect(again.Result.ResponseStatus).toMatchObject({
      IsSuccess: false,
      MsgCode: 11,
      Errors: [
        {
          Message: '单据编号为“XS-9500”的销售出库单，单据已经审核！',
          DIndex: 0,
        },
      ],
    });
  });

  it('should refuse a save over an audited bill and record create, unaudit, update, submit and audit in its history', async () => {
    const cookie = await login(sim);
    const [written] = (await batchSave(sim, cookie, [outstock('XS-9600')]))
      .Result.ResponseStatus.SuccessEntitys;
    const call = async (name: string, data: Record<string, unknown>) =>
      (
        (await (
          await post(
            sim,
            `${DYN}.${name}`,
            { formid: 'SAL_OUTSTOCK', data },
            { cookie },
          )
        ).json()) as SaveResult
      ).Result.ResponseStatus;
    const update = () =>
      call('Save', {
        Model: { ...(outstock('XS-9600') as object), FID: written?.Id },
      });

    const refused = await update();
    expect(refused).toMatchObject({
      IsSuccess: false,
      MsgCode: 12,
      Errors: [
        {
          Message: '单据编号为“XS-9600”的销售出库单，单据已审核，不允许修改！',
        },
      ],
    });
    expect(
      (await call('UnAudit', { Ids: String(written?.Id) })).IsSuccess,
    ).toBe(true);
    expect((await update()).IsSuccess).toBe(true);
    expect((await call('Submit', { Ids: String(written?.Id) })).IsSuccess).toBe(
      true,
    );
    expect((await call('Audit', { Ids: String(written?.Id) })).IsSuccess).toBe(
      true,
    );

    const [bill] = sim.documents.list({ billNo: 'XS-9600' });
    expect(bill?.status).toBe('C');
    expect(bill?.writeCount).toBe(2);
    expect(bill?.history.map((h) => [h.op, h.status])).toEqual([
      ['create', 'C'],
      ['unaudit', 'D'],
      ['update', 'D'],
      ['submit', 'B'],
      ['audit', 'C'],
    ]);
  });
});
