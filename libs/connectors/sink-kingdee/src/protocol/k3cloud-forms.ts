/** What the sink needs to know about a K3Cloud form: its keys and its entry (单据体). */
export interface K3FormKeys {
  readonly formId: string;
  /** Primary key field (FID on bills, FCUSTID… on base data). */
  readonly pkField: string;
  /** FBillNo on bills, FNumber on base data. */
  readonly numberField: string;
  /** Entry array key when the form has one (FEntity, FBillEntry…). */
  readonly entryKey?: string;
}

const bill = (formId: string, entryKey: string): K3FormKeys => ({
  formId,
  pkField: 'FID',
  numberField: 'FBillNo',
  entryKey,
});
const base = (formId: string, pkField: string): K3FormKeys => ({
  formId,
  pkField,
  numberField: 'FNumber',
});

/** Forms from the Kingdee reference (§1.11). Unknown forms fall back to bill keys (FID / FBillNo). */
export const K3_FORM_KEYS: readonly K3FormKeys[] = [
  bill('SAL_OUTSTOCK', 'FEntity'),
  bill('SAL_SaleOrder', 'FSaleOrderEntry'),
  bill('SAL_DELIVERYNOTICE', 'FEntity'),
  bill('SAL_RETURNSTOCK', 'FEntity'),
  bill('SAL_RETURNNOTICE', 'FEntity'),
  bill('STK_StockCountLoss', 'FBillEntry'),
  bill('STK_StockCountGain', 'FBillEntry'),
  bill('PUR_PurchaseOrder', 'FPOOrderEntry'),
  base('BD_Customer', 'FCUSTID'),
  base('BD_MATERIAL', 'FMATERIALID'),
  base('BD_STOCK', 'FStockId'),
  base('BD_Supplier', 'FSupplierId'),
  base('BD_Currency', 'FCURRENCYID'),
];

export function k3FormKeys(formId: string): K3FormKeys {
  const upper = formId.toUpperCase();
  const known = K3_FORM_KEYS.find((f) => f.formId.toUpperCase() === upper);
  if (known) return known;
  return upper.startsWith('BD_')
    ? { formId, pkField: 'FID', numberField: 'FNumber' }
    : { formId, pkField: 'FID', numberField: 'FBillNo' };
}
