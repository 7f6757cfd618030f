import {
  DISTRIBUTORS,
  NICKS,
  SHOPS,
  JUSHUITAN_BRANCHES,
  JUSHUITAN_WAREHOUSE_IDS,
  jushuitanSkuOf,
  JDY_DEFAULT_MASTER_DATA,
  K3_DEFAULT_MASTER_DATA,
  CATALOG_CRM_CUSTOMERS,
  CATALOG_MATERIALS,
} from '@kingbridge/simulators';

/**
 * The local demo world's master data, derived from the same catalog the simulators generate records from, so
 * that every seed flow resolves its lookups and Kingdee accepts the documents:
 * - `lookupTables()`: the transform's `_findCollection` tables (what an integrator loads from Kingdee and the
 *   back office in production);
 * - `k3CloudMasterData()`: base data the K3Cloud simulator holds in addition to its defaults (distributors as
 *   sales orgs, buyers as customers; shops become customers through the shops flow).
 * A source record that names something outside this world still fails its lookup and is dead-lettered.
 */
const SALE_ORG = '101';
const STOCK_ORG = '100';
const SELLERS = ['YW001', 'YW002'] as const;

/** Jushuitan warehouse (wh_id 1 主仓 … 4 次品仓) of every branch -> JDY stock number. */
const JST_STOCK_BY_WH: Readonly<Record<number, string>> = {
  1: 'CK001',
  2: 'CK002',
  3: 'CK003',
  4: 'CK004',
};

function jdyId(kind: 'materials' | 'stocks', number: string): string {
  const row = JDY_DEFAULT_MASTER_DATA[kind].find((r) => r.number === number);
  if (!row) throw new Error(`demo master data: JDY ${kind} has no ${number}`);
  return row.id;
}

export function lookupTables(): Record<string, Record<string, unknown>[]> {
  const jdyMaterials = JDY_DEFAULT_MASTER_DATA.materials;
  return {
    orgs: SHOPS.map((s) => ({
      shop_code: s.code,
      sale_org_number: SALE_ORG,
      stock_org_number: STOCK_ORG,
    })),
    // WDT stock-outs: a shop's direct sales (fenxiao_nick '') belong to the sales org, a distributor's
    // sales to the distributor's org (seed 001 FSaleOrgId from fenxiao_nick).
    sale_orgs: SHOPS.flatMap((s) => [
      { shop_no: s.code, fenxiao_nick: '', sale_org_number: SALE_ORG },
      ...DISTRIBUTORS.map((d) => ({
        shop_no: s.code,
        fenxiao_nick: d,
        sale_org_number: d,
      })),
    ]),
    // Xiaoman orders name their CRM company; the WDT buyers' sellers are read from K3Cloud's
    // BD_Customer (lookups.k3_customers of the WDT plan).
    customers: CATALOG_CRM_CUSTOMERS.map((c) => ({
      company_id: c.number.slice(1),
      serial_id: c.number,
    })),
    // Jushuitan counts name SKUs; JDY holds one material per catalog style.
    materials: CATALOG_MATERIALS.map((m) => ({
      number: jushuitanSkuOf(m.number),
      id: jdyId('materials', m.number),
    })),
    units: CATALOG_MATERIALS.map((m) => {
      const material = jdyMaterials.find((j) => j.number === m.number);
      const unitId = (material as { unitIds?: string[] } | undefined)
        ?.unitIds?.[0];
      if (!unitId)
        throw new Error(
          `demo master data: JDY material ${m.number} has no unit`,
        );
      return { sku_id: jushuitanSkuOf(m.number), id: unitId };
    }),
    stocks: JUSHUITAN_BRANCHES.flatMap((branch) =>
      JUSHUITAN_WAREHOUSE_IDS.map((wh) => ({
        wms_co_id: String(branch),
        wh_id: String(wh),
        id: jdyId('stocks', JST_STOCK_BY_WH[wh] as string),
      })),
    ),
  };
}

/**
 * The rows the transform reads from the demo K3Cloud for the plans' `lookups:` tables (the WDT plan's
 * k3_customers: BD_Customer number -> FSELLER), for tests that map without a K3Cloud.
 */
export function k3CloudLookupRows(): Record<string, Record<string, unknown>[]> {
  return {
    k3_customers: (k3CloudMasterData()['BD_Customer'] ?? []).map((c) => ({
      number: c.number,
      seller_number: c.attrs?.['FSELLER'] ?? null,
    })),
  };
}

/** K3Cloud base data of the demo world, as complete forms (a scenario form replaces the default form). */
export function k3CloudMasterData(): Record<
  string,
  Array<{ number: string; name: string; attrs?: Record<string, unknown> }>
> {
  return {
    ORG_Organizations: [
      ...(K3_DEFAULT_MASTER_DATA.ORG_Organizations ?? []).map((r) => ({
        ...r,
      })),
      ...DISTRIBUTORS.map((d) => ({ number: d, name: d })),
    ],
    BD_Customer: [
      ...(K3_DEFAULT_MASTER_DATA.BD_Customer ?? []).map((r) => ({ ...r })),
      ...NICKS.map((nick, i) => ({
        number: nick,
        name: nick,
        attrs: { FSELLER: SELLERS[i % SELLERS.length] },
      })),
      // No shop customers: the shops flow (seed 002) creates them from the channels, numbered by the
      // channel code the retail trades carry as shopcode (seed 000).
    ],
  };
}
