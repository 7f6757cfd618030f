import { join, resolve } from 'node:path';
import { rawRecordSchema } from '@kingbridge/contracts';
import { contentHash } from '@kingbridge/pipeline-core';
import { compileFlow, loadPlans } from '@kingbridge/transform-engine';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startK3CloudSimulator } from '@kingbridge/simulators';
import { k3cloudLookupRoutes } from '../lookups/k3cloud-lookups';
import { PostgresLookupProvider } from '../lookups/postgres-lookup.provider';

type Sim = Awaited<ReturnType<typeof startK3CloudSimulator>>;
const PLANS_DIR = resolve(__dirname, '../../../../plans');
const FLOW = 'wdt-stockout-to-k3cloud-outstock';

/** The hand-loaded tables of the WDT plan (sale orgs, sales order entries), as Postgres holds them. */
const dataSource = {
  query: async () => [
    {
      table_name: 'sale_orgs',
      row: { shop_no: 'TM01', fenxiao_nick: '', sale_org_number: '101' },
    },
  ],
} as unknown as DataSource;

function stockout(id: number, buyer: string) {
  const payload = {
    stockout_id: id,
    order_no: `CK${id}`,
    status: 95,
    consign_time: '2026-05-01 10:00:00',
    modified: '2026-05-01 10:00:00',
    shop_no: 'TM01',
    fenxiao_nick: '',
    nick_name: buyer,
    src_trade_no: 'JY1',
    warehouse_no: 'CK001',
    details_list: [
      { goods_no: 'SKU001', goods_count: '1.0000', sell_price: '5.0000' },
    ],
  };
  return rawRecordSchema.parse({
    schemaVersion: 1,
    platform: 'wdt',
    entity: 'stockout-order',
    stream: 'wdt.stockout-order.shipped',
    sourceId: String(id),
    modifiedAt: '2026-05-01T02:00:00.000Z',
    contentHash: contentHash(payload),
    payload,
    runId: 'run-1',
    fetchedAt: '2026-05-01T02:00:00.000Z',
  });
}

describe('transform lookups read from K3Cloud', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startK3CloudSimulator({});
    // The sales order the stock-outs link to, entered in K3Cloud through its WebAPI.
    const post = (service: string, body: unknown, cookie = '') =>
      fetch(
        `${sim.baseUrl}Kingdee.BOS.WebApi.ServicesStub.${service}.common.kdsvc`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie },
          body: JSON.stringify(body),
        },
      );
    const login = await post('AuthService.ValidateUser', {
      acctID: sim.acctId,
      username: 'kingbridge',
      password: 'Kb@2026!',
      lcid: 2052,
    });
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    await post(
      'DynamicFormService.Save',
      {
        formid: 'SAL_SaleOrder',
        data: {
          Model: {
            FBillNo: 'JY1',
            FBillTypeID: { FNumber: 'XSDD01_SYS' },
            FDate: '2026-05-01',
            FSaleOrgId: { FNumber: '100' },
            FCustId: { FNumber: 'CUST0001' },
            FSaleOrderEntry: [{ FMaterialId: { FNumber: 'SKU001' }, FQty: 1 }],
          },
        },
      },
      cookie,
    );
    expect(sim.documents.findByNumber('SAL_SaleOrder', 'JY1')).toBeDefined();
  });
  afterAll(async () => {
    await sim.close();
  });

  it("should take the stock-out's seller from the customer in K3Cloud's BD_Customer and its link from the sales order, and fail only a customer K3Cloud does not have", async () => {
    // Arrange
    const routes = await k3cloudLookupRoutes({
      PLANS_DIR,
      K3CLOUD_BASE_URL: sim.baseUrl,
      K3CLOUD_ACCT_ID: sim.acctId,
      K3CLOUD_USERNAME: 'kingbridge',
      K3CLOUD_PASSWORD: 'Kb@2026!',
    });
    const lookups = new PostgresLookupProvider(
      dataSource,
      60_000,
      Date.now,
      routes,
    );
    const plan = (await loadPlans(PLANS_DIR)).find(
      (p) => p.plan.id === FLOW,
    )!.plan;
    const flow = compileFlow(plan, { lookups });
    const known = stockout(1, 'CUST0003');
    const unknown = stockout(2, 'NOBODY');
    const noSeller = stockout(3, 'RETAIL');

    // Act
    await lookups.preload([
      ...flow.lookupQueries(known),
      ...flow.lookupQueries(unknown),
      ...flow.lookupQueries(noSeller),
    ]);
    const ok = flow.process(known);
    const failed = flow.process(unknown);
    const unassigned = flow.process(noSeller);

    // Assert
    expect([...routes.keys()]).toEqual([
      'k3_customers',
      'k3_sale_order_entries',
    ]);
    expect(ok.outcome).toBe('mapped');
    if (ok.outcome !== 'mapped') return;
    expect(ok.documents[0]?.document['FSalesManID']).toEqual({
      FNumber: 'YW002',
    });
    const order = sim.documents.findByNumber('SAL_SaleOrder', 'JY1');
    expect(
      (
        ok.documents[0]?.document['FEntity'] as Array<{
          FEntity_Link: Array<Record<string, unknown>>;
        }>
      )[0]?.FEntity_Link[0],
    ).toMatchObject({
      FEntity_Link_FSBillId: order?.id,
      FEntity_Link_FSId: order?.body.entries[0]?.entryId,
    });
    // A customer K3Cloud has without a seller: an empty salesman, not an error.
    expect(unassigned.outcome).toBe('mapped');
    if (unassigned.outcome === 'mapped')
      expect(unassigned.documents[0]?.document['FSalesManID']).toEqual({
        FNumber: '',
      });
    expect(failed).toMatchObject({
      outcome: 'failed',
      error: {
        errorClass: 'lookup',
        fieldPath: 'FSalesManID',
        message: 'lookup k3_customers where number=NOBODY: not found',
      },
    });
  });

  it('should name the K3Cloud variables when a plan reads K3Cloud and they are missing', async () => {
    await expect(
      k3cloudLookupRoutes({
        PLANS_DIR: join(PLANS_DIR),
        K3CLOUD_BASE_URL: 'http://127.0.0.1:1/k3cloud/',
        K3CLOUD_ACCT_ID: undefined,
        K3CLOUD_USERNAME: 'kingbridge',
        K3CLOUD_PASSWORD: undefined,
      }),
    ).rejects.toThrow(
      'K3CLOUD_ACCT_ID, K3CLOUD_PASSWORD: required when a plan reads lookups from K3Cloud (k3_customers, k3_sale_order_entries)',
    );
  });
});
