import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  startK3CloudSimulator,
  type K3CloudSimulator,
} from '../k3cloud/k3cloud.simulator';

const DYN = 'Kingdee.BOS.WebApi.ServicesStub.DynamicFormService';

interface SaveStatus {
  IsSuccess: boolean;
  Errors: Array<{ FieldName: string | null; Message: string }>;
}

async function call(
  sim: K3CloudSimulator,
  service: string,
  body: unknown,
  cookie?: string,
): Promise<Record<string, unknown>> {
  const res = await fetch(`${sim.baseUrl}${service}.common.kdsvc`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(cookie ? { cookie } : {}),
    },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (service.endsWith('ValidateUser')) {
    json['cookie'] = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
  }
  return json;
}

describe('K3Cloud simulator link rows (FEntity_Link)', () => {
  let sim: K3CloudSimulator;
  let cookie: string;
  beforeEach(async () => {
    sim = await startK3CloudSimulator({});
    const login = await call(
      sim,
      'Kingdee.BOS.WebApi.ServicesStub.AuthService.ValidateUser',
      {
        acctID: sim.acctId,
        username: 'kingbridge',
        password: 'Kb@2026!',
        lcid: 2052,
      },
    );
    cookie = String(login['cookie']);
  });
  afterEach(async () => {
    await sim.close();
  });

  const save = async (formid: string, model: Record<string, unknown>) =>
    (
      (
        await call(
          sim,
          `${DYN}.Save`,
          { formid, data: { Model: model } },
          cookie,
        )
      )['Result'] as { ResponseStatus: SaveStatus }
    ).ResponseStatus;

  const outstock = (billNo: string, billId: number, entryId: number) => ({
    FBillNo: billNo,
    FBillTypeID: { FNumber: 'XSCKD01_SYS' },
    FDate: '2026-05-01',
    FStockOrgId: { FNumber: '100' },
    FSaleOrgId: { FNumber: '100' },
    FCustomerID: { FNumber: 'CUST0001' },
    FEntity: [
      {
        FMaterialID: { FNumber: 'SKU001' },
        FStockID: { FNumber: 'CK001' },
        FRealQty: 2,
        FEntity_Link: [
          {
            FEntity_Link_FRuleId: 'SaleOrder-OutStock',
            FEntity_Link_FSTableName: 'T_SAL_ORDERENTRY',
            FEntity_Link_FSBillId: billId,
            FEntity_Link_FSId: entryId,
            FEntity_Link_FBaseUnitQtyOld: 2,
            FEntity_Link_FBaseUnitQty: 2,
          },
        ],
      },
    ],
  });

  it('should accept a stock-out linked to a sales order it holds and reject an unknown FSBillId or FSId, as K3Cloud does', async () => {
    // Arrange
    const order = await save('SAL_SaleOrder', {
      FBillNo: 'JY-SO-1',
      FBillTypeID: { FNumber: 'XSDD01_SYS' },
      FDate: '2026-05-01',
      FSaleOrgId: { FNumber: '100' },
      FCustId: { FNumber: 'CUST0001' },
      FSaleOrderEntry: [{ FMaterialId: { FNumber: 'SKU001' }, FQty: 2 }],
    });
    expect(order.IsSuccess).toBe(true);
    const bill = sim.documents.findByNumber('SAL_SaleOrder', 'JY-SO-1')!;
    const entryId = bill.body.entries[0]!.entryId;

    // Act
    const linked = await save(
      'SAL_OUTSTOCK',
      outstock('CK-L1', bill.id, entryId),
    );
    const unknownBill = await save(
      'SAL_OUTSTOCK',
      outstock('CK-L2', bill.id + 999, entryId),
    );
    const unknownEntry = await save(
      'SAL_OUTSTOCK',
      outstock('CK-L3', bill.id, entryId + 999),
    );

    // Assert
    expect(linked.IsSuccess).toBe(true);
    expect(unknownBill.IsSuccess).toBe(false);
    expect(unknownBill.Errors[0]).toMatchObject({
      FieldName: 'FEntity_Link_FSBillId',
      Message: expect.stringContaining(
        `源单销售订单不存在（内码 ${bill.id + 999}）`,
      ),
    });
    expect(unknownEntry.IsSuccess).toBe(false);
    expect(unknownEntry.Errors[0]?.Message).toContain(
      `“JY-SO-1”没有分录内码 ${entryId + 999}`,
    );
    expect(
      sim.documents.list({ formId: 'SAL_OUTSTOCK' }).map((d) => d.billNo),
    ).toEqual(['CK-L1']);
  });
});
