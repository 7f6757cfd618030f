import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Tests may start the simulators; production code never imports them.
import {
  startK3WiseSimulator,
  type K3WiseSimulator,
} from '@kingbridge/simulators';
import { K3WiseClient } from '../k3wise.client';

function salesOrder(item = '1.01.001'): Record<string, unknown> {
  return {
    Page1: [
      {
        Fdate: '2026-05-03',
        FCustID: { FNumber: '01.001' },
        FCurrencyID: { FNumber: 'USD' },
        FExchangeRate: '7.1',
      },
    ],
    Page2: [{ FItemID: { FNumber: item }, FAuxQty: '3', FAuxTaxPrice: '12.5' }],
  };
}

describe('K3WiseClient against the K3 WISE simulator', () => {
  let sim: K3WiseSimulator;
  let client: K3WiseClient;

  beforeAll(async () => {
    sim = await startK3WiseSimulator({ admin: true });
    client = new K3WiseClient({
      baseUrl: `${sim.url}/K3API`,
      authorityCode: sim.options.authorityCode,
      timeoutMs: 5000,
    });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('should get a token and save a sales order with its bill number', async () => {
    const [outcome] = await client.write({
      formId: '/SO/Save',
      operation: 'Save',
      options: {},
      rows: [{ billNo: 'SO-1', document: salesOrder() }],
    });
    expect(outcome).toMatchObject({ kind: 'written', number: 'SO-1' });
  });

  it('should report missing master data with the K3 WISE message', async () => {
    const [outcome] = await client.write({
      formId: '/SO/Save',
      operation: 'Save',
      options: {},
      rows: [{ billNo: 'SO-2', document: salesOrder('9.99') }],
    });
    expect(outcome?.kind === 'failed' && outcome.error).toMatchObject({
      errorClass: 'missing_base_data',
      message: expect.stringContaining('物料代码[9.99]不存在'),
    });
  });

  it('should classify a duplicate and find the bill with GetList', async () => {
    const [outcome] = await client.write({
      formId: '/SO/Save',
      operation: 'Save',
      options: {},
      rows: [{ billNo: 'SO-1', document: salesOrder() }],
    });
    expect(outcome?.kind === 'failed' && outcome.error.errorClass).toBe(
      'duplicate_number',
    );
    const found = await client.findBills('/SO/Save', ['SO-1', 'SO-404']);
    expect([...found.keys()]).toEqual(['SO-1']);
  });

  it('should fetch a new token when the old one is refused', async () => {
    await fetch(`${sim.url}/__admin/session-expire-now`, { method: 'POST' });
    const [outcome] = await client.write({
      formId: '/SO/Save',
      operation: 'Save',
      options: {},
      rows: [{ billNo: 'SO-3', document: salesOrder() }],
    });
    expect(outcome?.kind).toBe('written');
  });

  it('should classify an injected database timeout as transient', async () => {
    sim.faults.replace({
      queue: [{ fault: 'error', pathContains: '/so/save' }],
    });
    const [outcome] = await client.write({
      formId: '/SO/Save',
      operation: 'Save',
      options: {},
      rows: [{ billNo: 'SO-4', document: salesOrder() }],
    });
    expect(outcome?.kind === 'failed' && outcome.error).toMatchObject({
      errorClass: 'server_error',
      retriable: true,
    });
  });

  it('should store a second sales order under a used number when the simulated form has no unique number rule', async () => {
    const loose = await startK3WiseSimulator({ uniqueBillNo: false });
    try {
      const c = new K3WiseClient({
        baseUrl: `${loose.url}/K3API`,
        authorityCode: loose.options.authorityCode,
        timeoutMs: 5000,
      });
      for (let i = 0; i < 2; i++) {
        const [outcome] = await c.write({
          formId: '/SO/Save',
          operation: 'Save',
          options: {},
          rows: [{ billNo: 'SO-TWICE', document: salesOrder() }],
        });
        expect(outcome).toMatchObject({ kind: 'written' });
      }
      expect(
        loose.documents
          .list()
          .map((d) => [d.billNo, d.writeCount, d.duplicateRejections]),
      ).toEqual([
        ['SO-TWICE', 1, 0],
        ['SO-TWICE', 2, 0],
      ]);
    } finally {
      await loose.close();
    }
  });
});
