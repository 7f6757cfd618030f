import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Tests may start the simulators; production code never imports them.
import { startJdySimulator, type JdySimulator } from '@kingbridge/simulators';
import { JdyClient } from '../jdy.client';

const PATH = '/jdy/v2/scm/inv_check_loss_bill';

function lossBill(material = '1550000000000000001'): Record<string, unknown> {
  return {
    bill_date: '2026-05-02',
    operation_key: 'audit',
    material_entity: [
      {
        material_id: material,
        stock_id: '1560000000000000001',
        unit_id: '1540000000000000001',
        qty: 2,
      },
    ],
  };
}

describe('JdyClient against the JDY simulator', () => {
  let sim: JdySimulator;
  let client: JdyClient;

  beforeAll(async () => {
    sim = await startJdySimulator({ admin: true });
    client = new JdyClient({
      baseUrl: sim.url,
      clientId: sim.options.clientId,
      clientSecret: sim.options.clientSecret,
      appKey: sim.options.appKey,
      outerInstanceId: sim.options.outerInstanceId,
      timeoutMs: 5000,
    });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('should authorise, fetch a token and save a bill when called the first time', async () => {
    const [outcome] = await client.write({
      formId: PATH,
      operation: 'save',
      options: {},
      rows: [{ billNo: 'PK-1', document: lossBill() }],
    });
    expect(outcome).toMatchObject({ kind: 'written', number: 'PK-1' });
    expect(
      sim.documents.findByNumber('inv_check_loss_bill', 'PK-1')?.status,
    ).toBe('C');
  });

  it('should report missing master data with JDY message when the material is unknown', async () => {
    const [outcome] = await client.write({
      formId: PATH,
      operation: 'save',
      options: {},
      rows: [{ billNo: 'PK-2', document: lossBill('999') }],
    });
    expect(outcome?.kind === 'failed' && outcome.error).toMatchObject({
      errorClass: 'missing_base_data',
      retriable: false,
      message: expect.stringContaining('商品[999]'),
    });
  });

  it('should classify a duplicate bill number and find the bill when asked', async () => {
    const [outcome] = await client.write({
      formId: PATH,
      operation: 'save',
      options: {},
      rows: [{ billNo: 'PK-1', document: lossBill() }],
    });
    expect(outcome?.kind === 'failed' && outcome.error.errorClass).toBe(
      'duplicate_number',
    );
    const found = await client.findBills(PATH, ['PK-1', 'PK-404']);
    expect([...found.keys()]).toEqual(['PK-1']);
  });

  it('should fetch a new token and the rotated secret when the token is revoked', async () => {
    await fetch(`${sim.url}/__admin/rotate-app-secret`, { method: 'POST' });
    await fetch(`${sim.url}/__admin/session-expire-now`, { method: 'POST' });
    const [outcome] = await client.write({
      formId: PATH,
      operation: 'save',
      options: {},
      rows: [{ billNo: 'PK-3', document: lossBill() }],
    });
    expect(outcome?.kind).toBe('written');
  });

  it('should classify an HTML error page as a bad response', async () => {
    sim.faults.replace({
      queue: [{ fault: 'html-error', pathContains: 'inv_check' }],
    });
    const [outcome] = await client.write({
      formId: PATH,
      operation: 'save',
      options: {},
      rows: [{ billNo: 'PK-4', document: lossBill() }],
    });
    expect(outcome?.kind === 'failed' && outcome.error).toMatchObject({
      errorClass: 'bad_response',
      retriable: true,
    });
  });

  it('should store a second loss bill under a used number when the simulated form has no unique number rule', async () => {
    const loose = await startJdySimulator({ uniqueBillNo: false });
    try {
      const c = new JdyClient({
        baseUrl: loose.url,
        clientId: loose.options.clientId,
        clientSecret: loose.options.clientSecret,
        appKey: loose.options.appKey,
        outerInstanceId: loose.options.outerInstanceId,
        timeoutMs: 5000,
      });
      for (let i = 0; i < 2; i++) {
        const [outcome] = await c.write({
          formId: PATH,
          operation: 'save',
          options: {},
          rows: [{ billNo: 'PK-TWICE', document: lossBill() }],
        });
        expect(outcome).toMatchObject({ kind: 'written' });
      }
      expect(
        loose.documents
          .list()
          .map((d) => [d.billNo, d.writeCount, d.duplicateRejections]),
      ).toEqual([
        ['PK-TWICE', 1, 0],
        ['PK-TWICE', 2, 0],
      ]);
    } finally {
      await loose.close();
    }
  });
});
