import { k3FormKeys } from '@kingbridge/sink-kingdee-client/protocol';
import {
  CATALOG_MATERIALS,
  CATALOG_STOCKS,
  CATALOG_UNITS,
  type CatalogMaterial,
} from '../shared/source-catalog.master';

/** A base-data reference field: `{"FNumber": …}` resolved against the master data of `refForm`. */
export interface K3RefField {
  readonly field: string;
  readonly caption: string;
  readonly refForm: string;
  readonly required: boolean;
}

/** A plain field; `numeric` required fields treat 0 as empty, as the real required check does. */
export interface K3ScalarField {
  readonly field: string;
  readonly caption: string;
  readonly required: boolean;
  readonly kind: 'text' | 'date' | 'numeric';
}

export interface K3FieldGroup {
  readonly refs: readonly K3RefField[];
  readonly scalars: readonly K3ScalarField[];
}

/** Simulator-side metadata of a form: enough to validate saves and answer queries. */
export interface K3FormDef {
  readonly formId: string;
  readonly caption: string;
  readonly kind: 'bill' | 'basedata';
  /** Primary key field (FID on bills; FCUSTID, FMATERIALID… on base data). */
  readonly pkField: string;
  /** FBillNo on bills, FNumber on base data. */
  readonly numberField: string;
  readonly numberPrefix: string;
  readonly header: K3FieldGroup;
  readonly subHeads: Readonly<Record<string, K3FieldGroup>>;
  readonly entry?: {
    readonly key: string;
    readonly caption: string;
  } & K3FieldGroup;
  /** Other fields known to the form (queryable even when no stored document carries them). */
  readonly extraFields: readonly string[];
}

const ORG = 'ORG_Organizations';
const req = (field: string, caption: string, refForm: string): K3RefField => ({
  field,
  caption,
  refForm,
  required: true,
});
const opt = (field: string, caption: string, refForm: string): K3RefField => ({
  field,
  caption,
  refForm,
  required: false,
});
const date = (field: string, caption: string): K3ScalarField => ({
  field,
  caption,
  required: true,
  kind: 'date',
});
const qty = (field: string, caption: string): K3ScalarField => ({
  field,
  caption,
  required: true,
  kind: 'numeric',
});
const text = (field: string, caption: string): K3ScalarField => ({
  field,
  caption,
  required: true,
  kind: 'text',
});

const billCommon = [
  'FNote',
  'FCreateDate',
  'FModifyDate',
  'FApproveDate',
  'FCancelStatus',
  'FBusinessType',
  'FOwnerTypeIdHead',
];

/**
 * A bill form: keys (FID, FBillNo, the entry key) from the protocol's form keys, every header starting with
 * its bill type (单据类型) and date (日期), sub-heads of reference fields only, the common bill fields plus `extra`.
 */
function bill(
  formId: string,
  caption: string,
  numberPrefix: string,
  spec: {
    headerRefs: readonly K3RefField[];
    subHeads?: Readonly<Record<string, readonly K3RefField[]>>;
    entry: { caption: string; refs: readonly K3RefField[]; qty: K3ScalarField };
    extra: readonly string[];
  },
): K3FormDef {
  const keys = k3FormKeys(formId);
  return {
    formId,
    caption,
    kind: 'bill',
    pkField: keys.pkField,
    numberField: keys.numberField,
    numberPrefix,
    header: {
      refs: [
        req('FBillTypeID', '单据类型', 'BOS_BillType'),
        ...spec.headerRefs,
      ],
      scalars: [date('FDate', '日期')],
    },
    subHeads: Object.fromEntries(
      Object.entries(spec.subHeads ?? {}).map(([key, refs]) => [
        key,
        { refs, scalars: [] },
      ]),
    ),
    entry: {
      key: keys.entryKey ?? 'FEntity',
      caption: spec.entry.caption,
      refs: spec.entry.refs,
      scalars: [spec.entry.qty],
    },
    extraFields: [...billCommon, ...spec.extra],
  };
}

/**
 * A bill that moves stock: the stock organisation (库存组织) first in the header and a 明细信息 entry of
 * material, unit (captioned per form) and warehouse.
 */
function stockBill(
  formId: string,
  caption: string,
  numberPrefix: string,
  spec: {
    headerRefs: readonly K3RefField[];
    unitCaption: string;
    qty: K3ScalarField;
    extra: readonly string[];
  },
): K3FormDef {
  return bill(formId, caption, numberPrefix, {
    headerRefs: [req('FStockOrgId', '库存组织', ORG), ...spec.headerRefs],
    entry: {
      caption: '明细信息',
      refs: [
        req('FMaterialId', '物料编码', 'BD_MATERIAL'),
        opt('FUnitID', spec.unitCaption, 'BD_UNIT'),
        req('FStockId', '仓库', 'BD_STOCK'),
      ],
      qty: spec.qty,
    },
    extra: spec.extra,
  });
}

/** A stock count bill (盘亏单, 盘盈单): the owner in the header, book and counted quantities besides `qty`. */
function stockCountBill(
  formId: string,
  caption: string,
  numberPrefix: string,
  qtyField: K3ScalarField,
  headerRefs: readonly K3RefField[] = [],
): K3FormDef {
  return stockBill(formId, caption, numberPrefix, {
    headerRefs: [opt('FOwnerIdHead', '货主', ORG), ...headerRefs],
    unitCaption: '单位',
    qty: qtyField,
    extra: ['FAcctQty', 'FCountQty'],
  });
}

export const K3_BILL_FORMS: readonly K3FormDef[] = [
  bill('SAL_OUTSTOCK', '销售出库单', 'XSCKD', {
    headerRefs: [
      req('FStockOrgId', '发货组织', ORG),
      req('FSaleOrgId', '销售组织', ORG),
      req('FCustomerID', '客户', 'BD_Customer'),
      opt('FSalesManID', '销售员', 'BD_Saler'),
      opt('FSaleDeptID', '销售部门', 'BD_Department'),
      opt('FOwnerIdHead', '货主', ORG),
    ],
    subHeads: {
      SubHeadEntity: [
        opt('FSettleCurrID', '结算币别', 'BD_Currency'),
        opt('FSettleOrgID', '结算组织', ORG),
      ],
    },
    entry: {
      caption: '明细信息',
      refs: [
        req('FMaterialID', '物料编码', 'BD_MATERIAL'),
        opt('FUnitID', '库存单位', 'BD_UNIT'),
        req('FStockID', '仓库', 'BD_STOCK'),
        opt('FStockStatusID', '库存状态', 'BD_StockStatus'),
        opt('FOwnerID', '货主', ORG),
        opt('FKeeperID', '保管者', ORG),
      ],
      qty: qty('FRealQty', '实发数量'),
    },
    extra: [
      'FCarriageNO',
      'FSRCBillNo',
      'FTaxPrice',
      'FPrice',
      'FIsFree',
      'FEntryTaxRate',
      'FAllAmount',
      'FSrcType',
      'FSrcBillNo',
      'FEntrynote',
    ],
  }),
  bill('SAL_SaleOrder', '销售订单', 'XSDD', {
    headerRefs: [
      req('FSaleOrgId', '销售组织', ORG),
      req('FCustId', '客户', 'BD_Customer'),
      opt('FSalerId', '销售员', 'BD_Saler'),
    ],
    subHeads: {
      FSaleOrderFinance: [opt('FSettleCurrId', '结算币别', 'BD_Currency')],
    },
    entry: {
      caption: '订单明细',
      refs: [
        req('FMaterialId', '物料编码', 'BD_MATERIAL'),
        opt('FUnitID', '销售单位', 'BD_UNIT'),
      ],
      qty: qty('FQty', '销售数量'),
    },
    extra: ['FTaxPrice', 'FPrice', 'FEntryTaxRate', 'FIsFree', 'FExchangeRate'],
  }),
  stockBill('SAL_RETURNSTOCK', '销售退货单', 'XSTHD', {
    headerRefs: [
      req('FSaleOrgId', '销售组织', ORG),
      req('FRetcustId', '退货客户', 'BD_Customer'),
    ],
    unitCaption: '库存单位',
    qty: qty('FRealQty', '实退数量'),
    extra: ['FTaxPrice'],
  }),
  stockCountBill(
    'STK_StockCountLoss',
    '盘亏单',
    'PKD',
    qty('FLossQty', '盘亏数量'),
    [opt('FDeptId', '部门', 'BD_Department')],
  ),
  stockCountBill(
    'STK_StockCountGain',
    '盘盈单',
    'PYD',
    qty('FGainQty', '盘盈数量'),
  ),
];

const baseDataCommon = [
  'FName',
  'FDocumentStatus',
  'FForbidStatus',
  'FCreateOrgId',
  'FUseOrgId',
  'FDescription',
];

function baseData(
  formId: string,
  caption: string,
  pkField: string,
  numberPrefix: string,
  saveable: boolean,
  extra: string[] = [],
): K3FormDef {
  return {
    formId,
    caption,
    kind: 'basedata',
    pkField,
    numberField: 'FNumber',
    numberPrefix,
    header: saveable
      ? {
          refs: [
            req('FCreateOrgId', '创建组织', ORG),
            opt('FUseOrgId', '使用组织', ORG),
          ],
          scalars: [text('FName', '名称')],
        }
      : { refs: [], scalars: [text('FName', '名称')] },
    subHeads: {},
    extraFields: [...baseDataCommon, ...extra],
  };
}

export const K3_BASE_DATA_FORMS: readonly K3FormDef[] = [
  baseData('BD_Customer', '客户', 'FCUSTID', 'CUST', true, [
    'FShortName',
    'FSELLER',
    'FCustTypeId',
    'FTEL',
  ]),
  baseData('BD_MATERIAL', '物料', 'FMATERIALID', 'MAT', true, [
    'FSpecification',
    'FBaseUnitId',
    'FErpClsID',
  ]),
  baseData('BD_STOCK', '仓库', 'FStockId', 'CK', true),
  baseData('ORG_Organizations', '组织机构', 'FOrgID', 'ORG', false),
  baseData('BD_UNIT', '计量单位', 'FUNITID', 'UNIT', false),
  baseData('BD_Currency', '币别', 'FCURRENCYID', 'PRE', false),
  baseData('BOS_BillType', '单据类型', 'FBILLTYPEID', 'BT', false),
  baseData('BD_StockStatus', '库存状态', 'FStockStatusId', 'KCZT', false),
  baseData('BD_Department', '部门', 'FDEPTID', 'BM', false),
  baseData('BD_Saler', '销售员', 'fid', 'YW', false),
];

export const K3_FORMS: readonly K3FormDef[] = [
  ...K3_BILL_FORMS,
  ...K3_BASE_DATA_FORMS,
];

export function findK3Form(formId: string): K3FormDef | undefined {
  const upper = formId.toUpperCase();
  return K3_FORMS.find((form) => form.formId.toUpperCase() === upper);
}

export interface K3MasterSeedRecord {
  readonly number: string;
  readonly name: string;
  readonly attrs?: Record<string, unknown>;
}

/** Default master data; numbers follow Kingdee's shipped presets where they exist (PRE001, XSCKD01_SYS, KCZT01_SYS). */
const STANDARD_UNITS: Readonly<Record<string, string>> = {
  个: 'Pcs',
  盒: 'Box',
  套: 'Set',
};

/** Catalog unit name -> K3Cloud unit number (preset code where one exists, else the name). */
function unitNumber(unit: string): string {
  return STANDARD_UNITS[unit] ?? unit;
}

/** The fixed sample of materials, each with its base unit's name like the catalog's. */
const SAMPLE_MATERIALS: readonly CatalogMaterial[] = [
  { number: 'SKU001', name: '有机绿茶 250g', unit: '个' },
  { number: 'SKU002', name: '龙井礼盒 500g', unit: '盒' },
  { number: 'SKU003', name: '紫砂茶杯', unit: '个' },
  { number: 'SKU004', name: '便携茶具套装', unit: '套' },
  { number: 'SKU005', name: '普洱茶饼 357g', unit: '个' },
  { number: 'GIFT001', name: '赠品-帆布袋', unit: '个' },
  { number: 'PKG001', name: '包材-快递纸箱', unit: '个' },
];

export const K3_DEFAULT_MASTER_DATA: Readonly<
  Record<string, readonly K3MasterSeedRecord[]>
> = {
  ORG_Organizations: [
    { number: '100', name: '金桥科技集团' },
    { number: '101', name: '华东电商销售公司' },
    { number: '102', name: '华南电商销售公司' },
  ],
  BD_Customer: [
    { number: 'CUST0001', name: '天猫旗舰店', attrs: { FSELLER: 'YW001' } },
    { number: 'CUST0002', name: '京东自营店', attrs: { FSELLER: 'YW001' } },
    { number: 'CUST0003', name: '抖音小店', attrs: { FSELLER: 'YW002' } },
    { number: 'CUST0004', name: '拼多多专营店', attrs: { FSELLER: 'YW002' } },
    { number: 'RETAIL', name: '零售客户' },
  ],
  BD_MATERIAL: [...SAMPLE_MATERIALS, ...CATALOG_MATERIALS].map((m) => ({
    number: m.number,
    name: m.name,
    attrs: { FBaseUnitId: unitNumber(m.unit) },
  })),
  BD_STOCK: [...CATALOG_STOCKS, { number: 'CK009', name: '退货仓' }],
  BD_UNIT: [
    { number: 'Pcs', name: '个' },
    { number: 'Box', name: '盒' },
    { number: 'Set', name: '套' },
    { number: 'kg', name: '千克' },
    ...CATALOG_UNITS.filter((u) => !STANDARD_UNITS[u]).map((u) => ({
      number: u,
      name: u,
    })),
  ],
  BD_Currency: [
    { number: 'PRE001', name: '人民币' },
    { number: 'PRE007', name: '美元' },
  ],
  BOS_BillType: [
    { number: 'XSCKD01_SYS', name: '标准销售出库单' },
    { number: 'XSDD01_SYS', name: '标准销售订单' },
    { number: 'XSTHD01_SYS', name: '标准销售退货单' },
    { number: 'PK01_SYS', name: '标准盘亏单' },
    { number: 'PY01_SYS', name: '标准盘盈单' },
  ],
  BD_StockStatus: [{ number: 'KCZT01_SYS', name: '可用' }],
  BD_Department: [{ number: 'BM0001', name: '电商运营部' }],
  BD_Saler: [
    { number: 'YW001', name: '张伟' },
    { number: 'YW002', name: '李娜' },
  ],
};
