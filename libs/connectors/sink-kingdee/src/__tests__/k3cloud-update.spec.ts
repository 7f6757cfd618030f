import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Tests may start the simulators; production code never imports them.
import {
  startK3CloudSimulator,
  type K3CloudSimulator,
} from '@kingbridge/simulators';
import { K3CloudClient } from '../k3cloud.client';

/** A 销售出库单 of the simulator's default master data with one entry row of `qty`. */
function bill(billNo: string, qty: number) {
  const document = {
    FBillTypeID: { FNumber: 'XSCKD01_SYS' },
    FDate: '2026-05-01 10:00:00',
    FStockOrgId: { FNumber: '100' },
    FSaleOrgId: { FNumber: '100' },
    FCustomerID: { FNumber: 'CUST0001' },
    FEntity: [
      {
        FMaterialID: { FNumber: 'SKU001' },
        FRealQty: qty,
        FStockID: { FNumber: 'CK001' },
      },
    ],
  };
  return { billNo, document };
}

describe('K3CloudClient.updateBill against the K3Cloud simulator', () => {
  let sim: K3CloudSimulator;
  let client: K3CloudClient;

  beforeAll(async () => {
    sim = await startK3CloudSimulator({ admin: true });
    client = new K3CloudClient({
      baseUrl: sim.baseUrl,
      acctId: sim.acctId,
      userName: 'kingbridge',
      auth: { mode: 'password', password: 'Kb@2026!' },
      timeoutMs: 5000,
    });
  });
  afterAll(async () => {
    await sim.close();
  });

  async function written(billNo: string, status: string): Promise<string> {
    const [row] = await client.write({
      formId: 'SAL_OUTSTOCK',
      operation: 'Save',
      options: {},
      rows: [bill(billNo, 2)],
    });
    if (row?.kind !== 'written') throw new Error(`not written: ${billNo}`);
    const stored = sim.documents.list({ billNo })[0];
    if (stored) stored.status = status;
    return row.id;
  }

  const update = (billNo: string, id: string, unaudit: boolean) =>
    client.updateBill({
      formId: 'SAL_OUTSTOCK',
      options: {},
      id,
      row: bill(billNo, 5),
      unaudit,
    });

  const qtyOf = (billNo: string) =>
    sim.documents.list({ billNo })[0]?.body.entries[0]?.fields['FREALQTY'];

  it('should save over an unaudited bill with its FID', async () => {
    const id = await written('UPD-1', 'A');
    expect(await update('UPD-1', id, false)).toMatchObject({
      kind: 'written',
      number: 'UPD-1',
    });
    expect(qtyOf('UPD-1')).toEqual({ ref: false, value: 5 });
  });

  it.each([
    ['C', false, 'is audited (FDocumentStatus C)'],
    ['B', true, 'is submitted and in approval (FDocumentStatus B)'],
  ])(
    'should refuse to update a bill in status %s (unaudit permitted: %s) and leave it as it is',
    async (status, unaudit, reason) => {
      const billNo = `UPD-${status}`;
      const id = await written(billNo, status);
      const outcome = await update(billNo, id, unaudit);
      expect(outcome).toMatchObject({ kind: 'refused' });
      expect(outcome.kind === 'refused' ? outcome.reason : '').toContain(
        reason,
      );
      expect(qtyOf(billNo)).toEqual({ ref: false, value: 2 });
    },
  );

  it('should audit again a bill an interrupted update left un-audited (status D)', async () => {
    const id = await written('UPD-D', 'D');
    expect((await update('UPD-D', id, true)).kind).toBe('written');
    const [stored] = sim.documents.list({ billNo: 'UPD-D' });
    expect(stored?.status).toBe('C');
    expect(stored?.history.map((h) => h.op)).toEqual([
      'create',
      'update',
      'submit',
      'audit',
    ]);
  });

  it('should fail with a validation error when the FID no longer exists', async () => {
    const outcome = await update('UPD-GONE', '999999', true);
    expect(outcome).toMatchObject({
      kind: 'failed',
      error: { errorClass: 'validation' },
    });
  });
});
