import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
// Tests may start the simulators; production code never imports them.
import {
  startK3CloudSimulator,
  type K3CloudSimulator,
} from '@kingbridge/simulators';
import { isAmbiguous } from '../kingdee-error.classifier';
import { K3CloudClient, type K3CloudAuth } from '../k3cloud.client';

const APP_ID = '235326_w53uTUC1ZtWy5aRt2pMQRvQ7m6CXnLkB';
const APP_SECRET = 'c1e8b3e09a5d4b2f8e6f7a9d0c3b2a14';

function customer(number: string, org = '100'): Record<string, unknown> {
  return {
    FName: `客户 ${number}`,
    FNumber: number,
    FCreateOrgId: { FNumber: org },
    FUseOrgId: { FNumber: org },
  };
}

function outstock(
  billNo: string,
  material = 'SKU001',
): Record<string, unknown> {
  return {
    FBillTypeID: { FNumber: 'XSCKD01_SYS' },
    FBillNo: billNo,
    FDate: '2026-05-01 10:00:00',
    FStockOrgId: { FNumber: '100' },
    FSaleOrgId: { FNumber: '100' },
    FCustomerID: { FNumber: 'CUST0001' },
    FEntity: [
      {
        FMaterialID: { FNumber: material },
        FRealQty: 2,
        FStockID: { FNumber: 'CK001' },
      },
    ],
  };
}

describe('K3CloudClient against the K3Cloud simulator', () => {
  let sim: K3CloudSimulator;
  const client = (auth: K3CloudAuth, timeoutMs = 5000): K3CloudClient =>
    new K3CloudClient({
      baseUrl: sim.baseUrl,
      acctId: sim.acctId,
      userName: 'kingbridge',
      auth,
      timeoutMs,
    });
  const password: K3CloudAuth = { mode: 'password', password: 'Kb@2026!' };

  beforeAll(async () => {
    sim = await startK3CloudSimulator({ admin: true });
  });
  afterAll(async () => {
    await sim.close();
  });
  beforeEach(() => {
    sim.faults.reset();
  });

  it.each<[string, K3CloudAuth]>([
    ['ValidateUser', password],
    [
      'LoginByAppSecret',
      { mode: 'app-secret', appId: APP_ID, appSecret: APP_SECRET },
    ],
    ['LoginBySign', { mode: 'sign', appId: APP_ID, appSecret: APP_SECRET }],
    [
      'signed headers',
      { mode: 'signed-headers', appId: APP_ID, appSecret: APP_SECRET },
    ],
  ])('should save a bill when authenticating with %s', async (name, auth) => {
    const billNo = `AUTH-${name.replace(/\s/g, '')}`;
    const [outcome] = await client(auth).write({
      formId: 'SAL_OUTSTOCK',
      operation: 'Save',
      options: {},
      rows: [{ billNo, document: outstock(billNo) }],
    });
    expect(outcome).toMatchObject({ kind: 'written', number: billNo });
    expect(sim.documents.findByNumber('SAL_OUTSTOCK', billNo)?.writeCount).toBe(
      1,
    );
  });

  it('should report an auth error with Kingdee message when the password is wrong', async () => {
    await expect(
      client({ mode: 'password', password: 'nope' }).login(),
    ).rejects.toMatchObject({
      errorClass: 'auth',
      message: expect.stringContaining('用户名或密码错误'),
    });
  });

  it('should map each row by DIndex when a BatchSave has bad rows', async () => {
    const rows = ['BS-1', 'BS-2', 'BS-3', 'BS-4'].map((n, i) => ({
      billNo: n,
      document: outstock(n, i === 1 ? 'NO-SUCH-SKU' : 'SKU001'),
    }));
    const outcomes = await client(password).write({
      formId: 'SAL_OUTSTOCK',
      operation: 'BatchSave',
      options: { IsVerifyBaseDataField: true },
      rows,
    });
    expect(outcomes.map((o) => o.kind)).toEqual([
      'written',
      'failed',
      'written',
      'written',
    ]);
    const bad = outcomes[1];
    expect(bad?.kind === 'failed' && bad.error.errorClass).toBe(
      'missing_base_data',
    );
    expect(bad?.kind === 'failed' && bad.error.message).toContain(
      'NO-SUCH-SKU',
    );
    expect(bad?.kind === 'failed' && bad.error.retriable).toBe(false);
  });

  it('should map rows when BatchCount splits the models', async () => {
    const rows = Array.from({ length: 6 }, (_, i) => ({
      billNo: `BC-${i}`,
      document: outstock(`BC-${i}`, i === 4 ? 'NOPE' : 'SKU001'),
    }));
    const outcomes = await client(password).write({
      formId: 'SAL_OUTSTOCK',
      operation: 'BatchSave',
      options: { IsVerifyBaseDataField: true, BatchCount: 2 },
      rows,
    });
    expect(outcomes.map((o) => o.kind)).toEqual([
      'written',
      'written',
      'written',
      'written',
      'failed',
      'written',
    ]);
  });

  it('should classify a duplicate number as ambiguous and find the bill when asked', async () => {
    const c = client(password);
    await c.write({
      formId: 'BD_Customer',
      operation: 'BatchSave',
      options: { IsAutoSubmitAndAudit: true },
      rows: [{ billNo: 'DUP-1', document: customer('DUP-1') }],
    });
    const [again] = await c.write({
      formId: 'BD_Customer',
      operation: 'BatchSave',
      options: {},
      rows: [{ billNo: 'DUP-1', document: customer('DUP-1') }],
    });
    expect(again?.kind === 'failed' && again.error.errorClass).toBe(
      'duplicate_number',
    );
    expect(
      again?.kind === 'failed' && isAmbiguous(again.error.errorClass),
    ).toBe(true);
    const found = await c.findBills('BD_Customer', ['DUP-1', 'DUP-404']);
    expect([...found.keys()]).toEqual(['DUP-1']);
  });

  it('should log in again and resend when the session expires', async () => {
    const c = client(password);
    await c.write({
      formId: 'SAL_OUTSTOCK',
      operation: 'Save',
      options: {},
      rows: [{ billNo: 'SESS-1', document: outstock('SESS-1') }],
    });
    sim.sessions.expireAll();
    const [outcome] = await c.write({
      formId: 'SAL_OUTSTOCK',
      operation: 'Save',
      options: {},
      rows: [{ billNo: 'SESS-2', document: outstock('SESS-2') }],
    });
    expect(outcome?.kind).toBe('written');
    expect(c.loginCount()).toBe(2);
  });

  it.each([
    ['html-error', 'bad_response', 'HTML page'],
    ['empty-body', 'bad_response', 'empty body'],
    ['http-5xx', 'bad_response', 'HTTP 5'],
    ['lost-response', 'network', 'k3cloud'],
  ] as const)(
    'should classify a %s answer as %s without throwing',
    async (fault, errorClass, text) => {
      const c = client(password);
      await c.login();
      sim.faults.replace({ queue: [{ fault, pathContains: 'Save' }] });
      const [outcome] = await c.write({
        formId: 'SAL_OUTSTOCK',
        operation: 'Save',
        options: {},
        rows: [{ billNo: `F-${fault}`, document: outstock(`F-${fault}`) }],
      });
      expect(outcome?.kind).toBe('failed');
      expect(outcome?.kind === 'failed' && outcome.error.errorClass).toBe(
        errorClass,
      );
      expect(outcome?.kind === 'failed' && outcome.error.message).toContain(
        text,
      );
    },
  );

  it('should classify a hang as a timeout when the answer does not come in time', async () => {
    const c = client(password, 300);
    await c.login();
    sim.faults.replace({ queue: [{ fault: 'hang', pathContains: 'Save' }] });
    const [outcome] = await c.write({
      formId: 'SAL_OUTSTOCK',
      operation: 'Save',
      options: {},
      rows: [{ billNo: 'HANG-1', document: outstock('HANG-1') }],
    });
    expect(outcome?.kind === 'failed' && outcome.error.errorClass).toBe(
      'timeout',
    );
  });

  it('should classify the concurrency limit answer as transient', async () => {
    const c = client(password);
    await c.login();
    sim.faults.replace({ queue: [{ fault: 'error', pathContains: 'Save' }] });
    const [outcome] = await c.write({
      formId: 'SAL_OUTSTOCK',
      operation: 'Save',
      options: {},
      rows: [{ billNo: 'ERR-1', document: outstock('ERR-1') }],
    });
    expect(outcome?.kind === 'failed' && outcome.error).toMatchObject({
      errorClass: 'server_error',
      retriable: true,
      message: expect.stringContaining('死锁'),
    });
  });

  it.each([
    ['error', 'server_error', '死锁'],
    ['over-limit', 'concurrency_limit', '调用限制'],
  ] as const)(
    'should give every row the error of the request when a BatchSave fails as a whole (%s)',
    async (fault, errorClass, text) => {
      const c = client(password);
      await c.login();
      sim.faults.replace({ queue: [{ fault, pathContains: 'BatchSave' }] });
      const rows = ['REQ-1', 'REQ-2', 'REQ-3'].map((b) => ({
        billNo: `${b}-${fault}`,
        document: outstock(`${b}-${fault}`),
      }));
      const outcomes = await c.write({
        formId: 'SAL_OUTSTOCK',
        operation: 'BatchSave',
        options: {},
        rows,
      });
      expect(outcomes).toHaveLength(3);
      for (const o of outcomes) {
        expect(o.kind === 'failed' && o.error).toMatchObject({
          errorClass,
          retriable: true,
          message: expect.stringContaining(text),
        });
      }
    },
  );

  it('should place rows by DIndex when two rows of a BatchSave carry the same bill number', async () => {
    const c = client(password);
    const outcomes = await c.write({
      formId: 'SAL_OUTSTOCK',
      operation: 'BatchSave',
      options: {},
      rows: [
        { billNo: 'SAME-1', document: outstock('SAME-1', 'SKU001') },
        { billNo: 'SAME-1', document: outstock('SAME-1', 'SKU002') },
      ],
    });
    expect(outcomes[0]).toMatchObject({ kind: 'written', number: 'SAME-1' });
    expect(outcomes[1]?.kind === 'failed' && outcomes[1].error.errorClass).toBe(
      'duplicate_number',
    );
  });

  it('should tell the bill it wrote from another bill under the same number', async () => {
    const c = client(password);
    await c.write({
      formId: 'SAL_OUTSTOCK',
      operation: 'Save',
      options: {},
      rows: [{ billNo: 'MATCH-1', document: outstock('MATCH-1', 'SKU001') }],
    });
    const same = await c.matchBills('SAL_OUTSTOCK', [
      { billNo: 'MATCH-1', document: outstock('MATCH-1', 'SKU001') },
    ]);
    expect(same.get('MATCH-1')).toMatchObject({ kind: 'same' });
    const other = await c.matchBills('SAL_OUTSTOCK', [
      { billNo: 'MATCH-1', document: outstock('MATCH-1', 'SKU002') },
      { billNo: 'MATCH-NONE', document: outstock('MATCH-NONE') },
    ]);
    expect(other.get('MATCH-1')).toMatchObject({
      kind: 'different',
      reason: expect.stringContaining(
        'FMaterialID.FNumber SKU001 (ours SKU002)',
      ),
    });
    expect(other.has('MATCH-NONE')).toBe(false);
  });
});
