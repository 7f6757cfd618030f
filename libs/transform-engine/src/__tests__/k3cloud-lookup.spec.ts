// eslint-disable-next-line @nx/enforce-module-boundaries -- the test queries K3Cloud with the sink's client, as the transform service does
import { K3CloudClient } from '@kingbridge/sink-kingdee-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Tests may start the simulators; production code never imports them.
import { startK3CloudSimulator } from '@kingbridge/simulators';
import { CachedLookupProvider } from '../lookup/cached-lookup-provider';
import { K3CloudLookupLoader } from '../lookup/k3cloud-lookup.loader';
import { InMemoryLookupProvider, lookupQuery } from '../lookup/lookup-provider';
import { RoutingLookupProvider } from '../lookup/routing-lookup.provider';
import { compileFlow } from '../flow/flow-transformer';
import { loadFixturePlan } from './fixture-runner';
import { rawRecordSchema } from '@kingbridge/contracts';
import { contentHash } from '@kingbridge/pipeline-core';

type Sim = Awaited<ReturnType<typeof startK3CloudSimulator>>;

describe('lookups read from K3Cloud', () => {
  let sim: Sim;
  let client: K3CloudClient;
  const calls: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    sim = await startK3CloudSimulator({});
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

  function provider(now: { ms: number }) {
    const loader = new K3CloudLookupLoader(
      {
        k3_customers: {
          formId: 'BD_Customer',
          columns: { number: 'FNumber', seller_number: 'FSELLER.FNumber' },
        },
      },
      async (data) => {
        calls.push({ ...data });
        return client.executeBillQuery(data);
      },
    );
    return new RoutingLookupProvider(
      new InMemoryLookupProvider({ orgs: [{ shop: 'A', org: '101' }] }),
      new Map([
        [
          'k3_customers',
          new CachedLookupProvider(loader, {
            ttlMs: 60_000,
            clock: () => now.ms,
          }),
        ],
      ]),
    );
  }

  it("should read the customer's seller from BD_Customer in one query per page of records, cached, only an unknown customer missing", async () => {
    // Arrange
    calls.length = 0;
    const now = { ms: 1_000 };
    const lookups = provider(now);
    const q = (number: string) =>
      lookupQuery('k3_customers', [['number', number]]);
    const page = ['CUST0001', 'CUST0003', 'CUST0001', 'NOBODY'].map(q);

    // Act
    await lookups.preload([...page, lookupQuery('orgs', [['shop', 'A']])]);
    const first = page.map((p) => lookups.get(p)?.['seller_number']);
    await lookups.preload(page);
    const cachedCalls = calls.length;
    now.ms += 61_000;
    await lookups.preload(page.slice(0, 2));

    // Assert
    expect(first).toEqual(['YW001', 'YW002', 'YW001', undefined]);
    expect(lookups.get(lookupQuery('orgs', [['shop', 'A']]))).toEqual({
      shop: 'A',
      org: '101',
    });
    expect(cachedCalls).toBe(1);
    expect(calls[0]).toMatchObject({
      FormId: 'BD_Customer',
      FieldKeys: 'FNumber,FSELLER.FNumber',
      FilterString: "FNumber IN ('CUST0001','CUST0003','NOBODY')",
    });
    // Past the TTL the found rows are read again.
    expect(calls).toHaveLength(2);
  });

  it("should read a sales order's entry ids by bill number and material in one query", async () => {
    // Arrange
    calls.length = 0;
    const saved = await client.write({
      formId: 'SAL_SaleOrder',
      operation: 'Save',
      options: {},
      rows: [
        {
          billNo: 'XSDD-LOOKUP-1',
          document: {
            FBillTypeID: { FNumber: 'XSDD01_SYS' },
            FDate: '2026-05-01',
            FSaleOrgId: { FNumber: '100' },
            FCustId: { FNumber: 'CUST0001' },
            FSaleOrderEntry: [
              { FMaterialId: { FNumber: 'SKU001' }, FQty: 2 },
              { FMaterialId: { FNumber: 'SKU002' }, FQty: 1 },
            ],
          },
        },
      ],
    });
    expect(saved[0]?.kind).toBe('written');
    const bill = sim.documents.findByNumber('SAL_SaleOrder', 'XSDD-LOOKUP-1');
    const loader = new K3CloudLookupLoader(
      {
        sale_order_entries: {
          formId: 'SAL_SaleOrder',
          columns: {
            bill_no: 'FBillNo',
            material_number: 'FMaterialId.FNumber',
            fid: 'FID',
            entry_id: 'FSaleOrderEntry_FEntryID',
          },
        },
      },
      async (data) => {
        calls.push({ ...data });
        return client.executeBillQuery(data);
      },
    );
    const q = (material: string) =>
      lookupQuery('sale_order_entries', [
        ['bill_no', 'XSDD-LOOKUP-1'],
        ['material_number', material],
      ]);

    // Act
    const rows = await loader.load('sale_order_entries', [
      q('SKU001'),
      q('SKU002'),
      q('SKU999'),
    ]);

    // Assert
    expect(calls).toHaveLength(1);
    expect(rows.get(q('SKU001').key)).toEqual({
      bill_no: 'XSDD-LOOKUP-1',
      material_number: 'SKU001',
      fid: bill?.id,
      entry_id: bill?.body.entries[0]?.entryId,
    });
    expect(rows.get(q('SKU002').key)?.['entry_id']).toBe(
      bill?.body.entries[1]?.entryId,
    );
    expect(rows.has(q('SKU999').key)).toBe(false);
  });

  it('should retry a stock-out whose sales order reaches K3Cloud ten seconds later, then link it; dead-letter one whose order never comes, naming it', async () => {
    // Arrange: the WDT plan, its sales-order link read from this K3Cloud.
    const t0 = Date.parse('2026-05-01T02:00:00.000Z');
    const now = { ms: t0 };
    const plan = loadFixturePlan('wdt-stockout-to-k3cloud-outstock');
    const t = plan.lookups['k3_sale_order_entries']!;
    const lookups = new RoutingLookupProvider(
      new InMemoryLookupProvider({
        sale_orgs: [
          { shop_no: 'TM01', fenxiao_nick: '', sale_org_number: '100' },
        ],
        k3_customers: [{ number: 'CUST0001', seller_number: 'YW001' }],
      }),
      new Map([
        [
          'k3_sale_order_entries',
          new CachedLookupProvider(
            new K3CloudLookupLoader(
              {
                k3_sale_order_entries: { formId: t.formId, columns: t.columns },
              },
              (data) => client.executeBillQuery(data),
            ),
            { ttlMs: 600_000, negativeTtlMs: 5_000, clock: () => now.ms },
          ),
        ],
      ]),
    );
    const flow = compileFlow(plan, { lookups, clock: () => now.ms });
    const stockout = (id: number, order: string) => {
      const payload = {
        stockout_id: id,
        order_no: `CK-LINK-${id}`,
        status: 95,
        consign_time: '2026-05-01 10:00:00',
        modified: '2026-05-01 10:00:00',
        shop_no: 'TM01',
        fenxiao_nick: '',
        nick_name: 'CUST0001',
        src_trade_no: order,
        warehouse_no: 'CK001',
        details_list: [
          { goods_no: 'SKU001', goods_count: '2.0000', sell_price: '5.0000' },
        ],
      };
      return rawRecordSchema.parse({
        schemaVersion: 1,
        platform: 'wdt',
        entity: 'stockout-order',
        stream: 'wdt.stockout-order.shipped',
        sourceId: String(id),
        modifiedAt: new Date(t0).toISOString(),
        contentHash: contentHash(payload),
        payload,
        runId: 'run-1',
        fetchedAt: new Date(t0).toISOString(),
      });
    };
    const later = stockout(1, 'JY-LATER-1');
    const never = stockout(2, 'JY-NEVER-2');
    const attempt = async (raw: ReturnType<typeof stockout>) => {
      await lookups.preload(flow.lookupQueries(raw));
      return flow.process(raw);
    };

    // Act: first attempt before the sales order exists.
    const first = await attempt(later);
    now.ms = t0 + 10_000;
    await client.write({
      formId: 'SAL_SaleOrder',
      operation: 'Save',
      options: {},
      rows: [
        {
          billNo: 'JY-LATER-1',
          document: {
            FBillTypeID: { FNumber: 'XSDD01_SYS' },
            FDate: '2026-05-01',
            FSaleOrgId: { FNumber: '100' },
            FCustId: { FNumber: 'CUST0001' },
            FSaleOrderEntry: [{ FMaterialId: { FNumber: 'SKU001' }, FQty: 2 }],
          },
        },
      ],
    });
    const second = await attempt(later);
    now.ms = t0 + 31 * 60_000;
    const last = await attempt(never);

    // Assert
    expect(first).toMatchObject({
      outcome: 'failed',
      error: { retriable: true, errorClass: 'lookup' },
    });
    if (first.outcome === 'failed')
      expect(first.error.message).toContain('bill_no=JY-LATER-1');
    expect(second.outcome).toBe('mapped');
    const order = sim.documents.findByNumber('SAL_SaleOrder', 'JY-LATER-1');
    if (second.outcome === 'mapped')
      expect(
        (
          second.documents[0]?.document['FEntity'] as Array<{
            FEntity_Link: unknown[];
          }>
        )[0]?.FEntity_Link[0],
      ).toMatchObject({
        FEntity_Link_FSBillId: order?.id,
        FEntity_Link_FSId: order?.body.entries[0]?.entryId,
      });
    expect(last).toMatchObject({
      outcome: 'failed',
      error: {
        retriable: false,
        fieldPath: 'FEntity[0].FEntity_Link[0].FEntity_Link_FSBillId',
      },
    });
    if (last.outcome === 'failed')
      expect(last.error.message).toBe(
        'lookup k3_sale_order_entries where bill_no=JY-NEVER-2 and material_number=SKU001: not found after waiting 1800s',
      );
  });
});
