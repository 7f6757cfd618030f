import type { OutboundDocument } from '@kingbridge/contracts';
import { describe, expect, it } from 'vitest';
import { checkOutboundDocument } from '../document-schemas';
import {
  classifyK3RowError,
  isAmbiguous,
  kingdeeError,
} from '../kingdee-error.classifier';
import { mapRows } from '../k3cloud.client';

describe('kingdee error classifier', () => {
  it.each([
    [
      11,
      '违反字段唯一性要求：编码唯一。[CK1]在当前系统中已经被使用。',
      'duplicate_number',
    ],
    [
      9,
      '字段“物料编码”的值“X”在基础资料中不存在，或未审核、已禁用',
      'missing_base_data',
    ],
    [11, '字段“客户”是必填项', 'validation'],
    [1, '会话信息已丢失，请重新登录', 'session_lost'],
    [14, '调用限制', 'concurrency_limit'],
    [6, '事务与另一个进程被死锁', 'server_error'],
    [4, '标识为“X”的业务对象不存在，或者被删除', 'validation'],
  ] as const)(
    'should classify MsgCode %i "%s" as %s',
    (code, message, expected) => {
      expect(classifyK3RowError(code, message)).toBe(expected);
    },
  );

  it('should keep Kingdee message and mark permanence when building the error', () => {
    const error = kingdeeError(
      'missing_base_data',
      'k3cloud SAL_OUTSTOCK: 物料不存在',
      { fieldPath: 'FMaterialID' },
    );
    expect(error).toMatchObject({
      retriable: false,
      fieldPath: 'FMaterialID',
      message: 'k3cloud SAL_OUTSTOCK: 物料不存在',
    });
    expect(isAmbiguous('duplicate_number')).toBe(true);
    expect(isAmbiguous('validation')).toBe(false);
  });

  it('should treat a row missing from the answer as unknown when mapping', () => {
    const outcomes = mapRows(
      {
        IsSuccess: false,
        MsgCode: 11,
        Errors: [],
        SuccessEntitys: [{ Id: 1, Number: 'A', DIndex: 0 }],
      },
      ['A', 'B'],
      {},
      'SAL_OUTSTOCK',
    );
    expect(outcomes[0]).toMatchObject({ kind: 'written', id: '1' });
    expect(
      outcomes[1]?.kind === 'failed' &&
        isAmbiguous(outcomes[1].error.errorClass),
    ).toBe(true);
  });
});

function doc(
  target: OutboundDocument['target'],
  formId: string,
  document: Record<string, unknown>,
  billNo = 'B1',
): OutboundDocument {
  return {
    schemaVersion: 1,
    flow: 'f',
    documentKey: 'k',
    target,
    formId,
    operation: 'Save',
    options: {},
    billNo,
    batchRows: 20,
    document,
    lineage: {
      platform: 'wdt',
      stream: 's',
      sourceIds: ['1'],
      firstFetchedAt: '2026-01-01T00:00:00Z',
      rawOffsets: [],
    },
    createdAt: '2026-01-01T00:00:00Z',
  };
}

describe('checkOutboundDocument', () => {
  it('should name the field path when a JDY row has no material', () => {
    const result = checkOutboundDocument(
      doc('jdy', '/jdy/v2/scm/inv_check_loss_bill', {
        bill_date: '2026-01-02',
        material_entity: [{ stock_id: 'S', unit_id: 'U', qty: 1 }],
      }),
    );
    expect(result).toMatchObject({
      ok: false,
      fieldPath: 'document.material_entity[0].material_id',
    });
  });

  it('should require entry rows when a K3Cloud bill has none', () => {
    expect(
      checkOutboundDocument(doc('k3cloud', 'SAL_OUTSTOCK', { FBillNo: 'B1' })),
    ).toMatchObject({ ok: false, fieldPath: 'document.FEntity' });
  });

  it('should refuse a document whose number differs from billNo', () => {
    expect(
      checkOutboundDocument(
        doc('k3cloud', 'BD_Customer', { FNumber: 'OTHER' }),
      ),
    ).toMatchObject({ ok: false, fieldPath: 'document.FNumber' });
    expect(
      checkOutboundDocument(
        doc('k3wise', '/SO/Save', { Page1: [{ FBillNo: 'B1' }], Page2: [{}] }),
      ),
    ).toEqual({ ok: true });
  });
});
