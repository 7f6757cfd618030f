/**
 * One test per seed write-up (../shared/seeds/): `plan.ts dry-run` on the
 * write-up's own example records gives the request the write-up shows.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');

interface Line {
  kind: string;
  sourceId?: string;
  reason?: string;
  message?: string;
  fieldPath?: string;
  billNos?: string[];
  formId?: string;
  request?: { method: string; path: string; body: Record<string, unknown> };
}

function dryRun(
  plan: string,
  records: unknown[],
  lookups: Record<string, unknown[]>,
): { code: number | null; lines: Line[]; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'plan-seed-'));
  const recordsFile = join(dir, 'records.json');
  const lookupsFile = join(dir, 'lookups.json');
  writeFileSync(recordsFile, JSON.stringify(records));
  writeFileSync(lookupsFile, JSON.stringify(lookups));
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ROOT, 'scripts/plan.ts'),
      'dry-run',
      join('plans', `${plan}.yaml`),
      recordsFile,
      '--lookups',
      lookupsFile,
      '--now',
      '2026-05-02T02:00:00Z',
    ],
    { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
  );
  const lines = r.stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Line);
  return { code: r.status, lines, stderr: r.stderr };
}

const requests = (lines: Line[]) => lines.filter((l) => l.kind === 'request');

/** The K3Cloud save `data` of a request line. */
function k3Data(line: Line | undefined): {
  Model: Record<string, unknown>[];
  [k: string]: unknown;
} {
  const data = line?.request?.body['data'];
  return (typeof data === 'string' ? JSON.parse(data) : data) as {
    Model: Record<string, unknown>[];
  };
}

describe('plan dry-run on the seed write-ups', () => {
  it('seed 000: retail trades of one shop and day make one SAL_OUTSTOCK batchSave with IsAutoSubmitAndAudit and goodsNo sums', () => {
    // Arrange: trades as the direct gateway answers them (PascalCase).
    const trade = (
      no: string,
      id: string,
      status: number,
      type: number,
      goods: Array<[string, number, string]>,
    ) => ({
      TradeNo: no,
      TradeId: id,
      TradeStatus: status,
      TradeType: type,
      Shopcode: 'TM01',
      WarehouseCode: 'CK01',
      ConsignTime: '2026-05-01 10:15:00',
      GmtModified: '2026-05-01 10:20:00',
      GoodsDetail: goods.map(([GoodsNo, SellCount, After]) => ({
        GoodsNo,
        SellCount,
        ShareFavourableAfterFee: After,
      })),
    });
    const records = [
      trade('JY01', '7001', 6000, 1, [
        ['G1', 2, '19.90'],
        ['G2', 1, '5.00'],
      ]),
      trade('JY02', '7002', 9090, 1, [['G1', 3, '29.85']]),
      trade('JY03', '7003', 9090, 9, [['G1', 100, '1000']]), // 批发, not retail
      trade('JY04', '7004', 4110, 1, [['G1', 100, '1000']]), // not shipped
    ];

    // Act
    const r = dryRun('jackyun-retail-orders-to-k3cloud-outstock', records, {
      orgs: [
        { shop_code: 'TM01', sale_org_number: '101', stock_org_number: '100' },
      ],
    });

    // Assert
    expect(r.code).toBe(0);
    expect(
      r.lines.filter((l) => l.kind === 'filtered').map((l) => l.sourceId),
    ).toEqual(['7003', '7004']);
    const [call, ...more] = requests(r.lines);
    expect(more).toEqual([]);
    expect(call?.request?.path).toMatch(/DynamicFormService\.BatchSave\./);
    expect(call?.request?.body['formid']).toBe('SAL_OUTSTOCK');
    const data = k3Data(call);
    expect(data['IsAutoSubmitAndAudit']).toBe(true);
    expect(data.Model).toHaveLength(1);
    expect(data.Model[0]).toMatchObject({
      FBillTypeID: { FNumber: 'XSCKD01_SYS' },
      FBillNo: 'JKY20260501-TM01-CK01',
      FDate: '2026-05-01',
      FSaleOrgId: { FNumber: '101' },
      FStockOrgId: { FNumber: '100' },
      FCustomerID: { FNumber: 'TM01' },
      FEntity: [
        { FMaterialID: { FNumber: 'G1' }, FRealQty: 5, FAllAmount: 49.75 },
        { FMaterialID: { FNumber: 'G2' }, FRealQty: 1, FAllAmount: 5 },
      ],
    });
  });

  it("seed 001: a shipped stock-out becomes the write-up's SAL_OUTSTOCK fields, FIsFree by price", () => {
    // Arrange
    const stockout = {
      stockout_id: 9001,
      order_no: 'CK2026050100001',
      status: 95,
      consign_time: '2026-05-01 11:00:00',
      modified: '2026-05-01 11:05:00',
      shop_no: 'TM01',
      fenxiao_nick: '华东分销商',
      nick_name: '小鱼儿',
      remark: '加急',
      logistics_no: 'SF100200300',
      src_trade_no: 'JY2026050100001',
      warehouse_no: 'CK01',
      details_list: [
        { goods_no: 'G1', goods_count: '2.0000', sell_price: '9.9000' },
        { goods_no: 'GIFT', goods_count: '1.0000', sell_price: '0.0000' },
      ],
    };

    // Act
    const r = dryRun('wdt-stockout-to-k3cloud-outstock', [stockout], {
      sale_orgs: [
        {
          shop_no: 'TM01',
          fenxiao_nick: '华东分销商',
          sale_org_number: 'FX01',
        },
      ],
      k3_customers: [{ number: '小鱼儿', seller_number: 'YW001' }],
      k3_sale_order_entries: [
        {
          bill_no: 'JY2026050100001',
          material_number: 'G1',
          fid: 100,
          entry_id: 1001,
        },
        {
          bill_no: 'JY2026050100001',
          material_number: 'GIFT',
          fid: 100,
          entry_id: 1002,
        },
      ],
    });

    // Assert
    expect(r.code).toBe(0);
    const [call] = requests(r.lines);
    expect(call?.billNos).toEqual(['CK2026050100001']);
    expect(k3Data(call).Model[0]).toMatchObject({
      FBillTypeID: { FNumber: 'XSCKD01_SYS' },
      FBillNo: 'CK2026050100001',
      FDate: '2026-05-01',
      FStockOrgId: { FNumber: '100' },
      FSaleOrgId: { FNumber: 'FX01' },
      FCustomerID: { FNumber: '小鱼儿' },
      FSalesManID: { FNumber: 'YW001' },
      FNote: '加急',
      F_ora_Text2: 'SF100200300',
      FCarriageNO: 'SF100200300',
      F_USQR_TEXT: 'JY2026050100001',
      FSRCBillNo: 'JY2026050100001',
      FSoorDerno: 'JY2026050100001',
      FEntity: [
        {
          FMaterialID: { FNumber: 'G1' },
          FRealQty: 2,
          FTaxPrice: 9.9,
          FIsFree: 'false',
        },
        {
          FMaterialID: { FNumber: 'GIFT' },
          FRealQty: 1,
          FTaxPrice: 0,
          FIsFree: 'true',
        },
      ],
    });
  });

  it('seed 001: a stock-out without a consign time (0000-00-00) is dated by the rule the plan names, a direct sale without an org row is a lookup miss', () => {
    // Arrange
    const base = {
      status: 95,
      shop_no: 'TM01',
      nick_name: '小鱼儿',
      src_trade_no: 'JY1',
      warehouse_no: 'CK01',
      details_list: [
        { goods_no: 'G1', goods_count: '1.0000', sell_price: '1.0000' },
      ],
    };
    const records = [
      {
        ...base,
        stockout_id: 1,
        order_no: 'CK1',
        consign_time: '0000-00-00 00:00:00',
        modified: '2026-05-03 08:00:00',
        fenxiao_nick: '',
      },
      {
        ...base,
        stockout_id: 2,
        order_no: 'CK2',
        consign_time: '2026-05-01 08:00:00',
        modified: '2026-05-01 08:00:00',
        fenxiao_nick: '西南经销商',
      },
    ];

    // Act
    const r = dryRun('wdt-stockout-to-k3cloud-outstock', records, {
      sale_orgs: [
        { shop_no: 'TM01', fenxiao_nick: '', sale_org_number: '101' },
      ],
      k3_customers: [{ number: '小鱼儿', seller_number: 'YW001' }],
      k3_sale_order_entries: [
        { bill_no: 'JY1', material_number: 'G1', fid: 1, entry_id: 2 },
      ],
    });

    // Assert
    expect(r.code).toBe(1);
    expect(k3Data(requests(r.lines)[0]).Model[0]).toMatchObject({
      FBillNo: 'CK1',
      FDate: '2026-05-03',
      FSaleOrgId: { FNumber: '101' },
    });
    const error = r.lines.find((l) => l.kind === 'error');
    expect(error).toMatchObject({ sourceId: '2', fieldPath: 'FSaleOrgId' });
    expect(error?.message).toContain('fenxiao_nick=西南经销商');
  });

  it('seed 002: shops become BD_Customer batchSave calls of 20 with the otherRequest flags', () => {
    // Arrange: the write-up's example shop, then 20 more.
    const shops = [
      {
        channelId: '1',
        channelCode: 'SHOP123',
        channelName: 'Test Shop',
        companyCode: 'DSGL',
      },
      ...Array.from({ length: 20 }, (_v, i) => ({
        channelId: String(i + 2),
        channelCode: `SHOP${200 + i}`,
        channelName: `Shop ${i}`,
        companyCode: 'DSGL',
      })),
      {
        channelId: '99',
        channelCode: 'OT1',
        channelName: 'x',
        companyCode: 'XSGS',
      },
    ];

    // Act
    const r = dryRun('jackyun-shops-to-k3cloud-customer', shops, {});

    // Assert
    expect(r.code).toBe(0);
    const calls = requests(r.lines);
    expect(calls.map((c) => c.billNos?.length)).toEqual([20, 1]);
    const data = k3Data(calls[0]);
    expect(calls[0]?.request?.body['formid']).toBe('BD_Customer');
    expect(data['IsAutoSubmitAndAudit']).toBe(true);
    expect(data['IsVerifyBaseDataField']).toBe(false);
    expect(data.Model[0]).toEqual({
      FName: 'Test Shop',
      FNumber: 'SHOP123',
      FCreateOrgId: { FNumber: '100' },
      FUseOrgId: { FNumber: '100' },
    });
    expect(r.lines.find((l) => l.kind === 'filtered')?.sourceId).toBe('99');
  });

  it("seed 003: the write-up's count PD123456 becomes its inv_check_loss_bill with abs(qty) and looked-up ids", () => {
    // Arrange: the write-up's source_data and its find_* functions as lookup tables.
    const count = {
      io_date: '2023-10-01',
      io_id: 'PD123456',
      status: 'Confirmed',
      remark: '月度盘点',
      items: [
        { sku_id: 'SKU001', qty: -10 },
        { sku_id: 'SKU002', qty: -5 },
      ],
      wms_co_id: 'WMS001',
      wh_id: 'WH001',
    };
    const sku = ['SKU001', 'SKU002'];

    // Act
    const r = dryRun('jushuitan-count-loss-to-jdy', [count], {
      materials: sku.map((s) => ({ number: s, id: `material_${s}` })),
      units: sku.map((s) => ({ sku_id: s, id: `unit_${s}` })),
      stocks: [
        { wms_co_id: 'WMS001', wh_id: 'WH001', id: 'stock_WMS001_WH001' },
      ],
    });

    // Assert
    expect(r.code).toBe(0);
    const [call] = requests(r.lines);
    expect(call?.request?.path).toBe('/jdy/v2/scm/inv_check_loss_bill');
    expect(call?.request?.body).toEqual({
      bill_date: '2023-10-01',
      bill_no: 'PD123456',
      operation_key: 'audit',
      remark: '月度盘点',
      material_entity: [
        {
          material_id: 'material_SKU001',
          qty: 10,
          unit_id: 'unit_SKU001',
          stock_id: 'stock_WMS001_WH001',
        },
        {
          material_id: 'material_SKU002',
          qty: 5,
          unit_id: 'unit_SKU002',
          stock_id: 'stock_WMS001_WH001',
        },
      ],
    });
  });

  it("seed 004: an order in the seed's field names (new_customerid, product_list_*) and one in OKKI's wire names give the same /SO/Save, a count-0 line priced 0", () => {
    // Arrange
    const header = {
      order_no: 'SO20260501',
      account_date: '2026-05-01',
      currency: 'USD',
      exchange_rate: 712.5,
      update_time: '2026-05-01 12:00:00',
    };
    const seedNames = {
      ...header,
      order_id: 1,
      new_customerid: 31470001,
      product_list: [
        {
          product_list_product_no: 'P-1',
          product_list_count: 4,
          product_list_cost_amount: 10,
        },
        {
          product_list_product_no: 'YP-0001',
          product_list_count: 0,
          product_list_cost_amount: 0,
        },
      ],
    };
    const wireNames = {
      ...header,
      order_id: 2,
      company: { company_id: 31470001, serial_id: 'C31470001' },
      product_list: [
        { product_no: 'P-1', count: 4, cost_amount: 10 },
        { product_no: 'YP-0001', count: 0, cost_amount: 0 },
      ],
    };

    // Act
    const r = dryRun('xiaoman-orders-to-k3wise-so', [seedNames, wireNames], {
      customers: [{ company_id: '31470001', serial_id: 'C31470001' }],
    });

    // Assert
    expect(r.code).toBe(0);
    const calls = requests(r.lines);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.request?.path).toMatch(/^\/K3API\/SO\/Save\?token=/);
    const expected = {
      Data: {
        Page1: [
          {
            FBillNo: 'SO20260501',
            FCancellation: 'false',
            Fdate: '2026-05-01',
            FCustID: { FNumber: 'C31470001', FName: '1' },
            FAreaPS: { FNumber: '1', FName: '1' },
            FCurrencyID: { FNumber: 'USD' },
            FExchangeRate: '7.125',
          },
        ],
        Page2: [
          {
            FItemID: { FNumber: 'P-1' },
            FAuxQty: '4',
            FAuxTaxPrice: '2.5',
          },
          {
            FItemID: { FNumber: 'YP-0001' },
            FAuxQty: '0',
            FAuxTaxPrice: '0',
          },
        ],
      },
    };
    expect(calls[0]?.request?.body).toEqual(expected);
    expect(calls[1]?.request?.body).toEqual(expected);
  });
});
