import type { DocumentStore } from '../shared/document-store';
import { K3_MSG } from './k3cloud-response.util';
import { getCI } from './k3cloud-args.util';
import type { K3StoredBill } from './k3cloud-stored-bill';

/** Source entry tables of the link rows K3Cloud knows (reference §1.10) -> the form that holds them. */
const SOURCE_FORMS: Readonly<
  Record<string, { formId: string; caption: string }>
> = {
  T_SAL_ORDERENTRY: { formId: 'SAL_SaleOrder', caption: '销售订单' },
  T_SAL_DELIVERYNOTICEENTRY: {
    formId: 'SAL_DELIVERYNOTICE',
    caption: '发货通知单',
  },
};

/**
 * The link rows (`<EntryKey>_Link`) of one entry row, checked as K3Cloud does
 * when a bill is saved directly instead of pushed: the source bill
 * (`_FSBillId`) and its entry (`_FSId`) must exist in the source table's form.
 * Unknown source tables are not checked.
 */
export function linkProblems(
  documents: DocumentStore<K3StoredBill>,
  entryKey: string,
  row: Record<string, unknown>,
  rowNumber: number,
): Array<{ field: string; message: string; msgCode: number }> {
  const links = getCI(row, `${entryKey}_Link`);
  if (!Array.isArray(links)) return [];
  const problems: Array<{ field: string; message: string; msgCode: number }> =
    [];
  const at = `单据体第【${rowNumber}】行分录的关联信息`;
  for (const link of links) {
    if (link === null || typeof link !== 'object') continue;
    const l = link as Record<string, unknown>;
    const table = String(getCI(l, `${entryKey}_Link_FSTableName`) ?? '');
    const source = SOURCE_FORMS[table.toUpperCase()];
    if (!source) continue;
    const billId = Number(getCI(l, `${entryKey}_Link_FSBillId`) ?? 0);
    const entryId = Number(getCI(l, `${entryKey}_Link_FSId`) ?? 0);
    const field = `${entryKey}_Link_FSBillId`;
    if (!(billId > 0) || !(entryId > 0)) {
      problems.push({
        field,
        message: `${at}：源单内码或源单分录内码为空`,
        msgCode: K3_MSG.validationFailed,
      });
      continue;
    }
    const bill = documents.findById(source.formId, billId);
    if (!bill || bill.deleted) {
      problems.push({
        field,
        message: `${at}：源单${source.caption}不存在（内码 ${billId}）`,
        msgCode: K3_MSG.validationFailed,
      });
      continue;
    }
    if (!bill.body.entries.some((e) => e.entryId === entryId)) {
      problems.push({
        field: `${entryKey}_Link_FSId`,
        message: `${at}：源单${source.caption}“${bill.billNo}”没有分录内码 ${entryId}`,
        msgCode: K3_MSG.validationFailed,
      });
    }
  }
  return problems;
}
