import {
  outboundDocumentSchema,
  statusEventSchema,
} from '@kingbridge/contracts';
import { describe, expect, it } from 'vitest';
import { statusEvent } from '../status.publisher';

const DOC = outboundDocumentSchema.parse({
  schemaVersion: 1,
  flow: 'jackyun-retail-orders-to-k3cloud-outstock',
  documentKey:
    'jackyun-retail-orders-to-k3cloud-outstock:TM01|CK001:2026-05-01',
  target: 'k3cloud',
  formId: 'SAL_OUTSTOCK',
  operation: 'BatchSave',
  options: {},
  billNo: 'JKY20260501-TM01-CK001',
  batchRows: 20,
  document: { FBillNo: 'JKY20260501-TM01-CK001' },
  lineage: {
    platform: 'jackyun',
    stream: 'jackyun.sales-order.retail-shipped',
    sourceIds: ['T1'],
    firstFetchedAt: '2026-05-01T02:00:00.000Z',
    rawOffsets: [],
  },
  createdAt: '2026-05-01T03:00:00.000Z',
});

describe('status events', () => {
  it('should mark a written correction document as corrected and a changed document as changed_after_write', () => {
    const correction = outboundDocumentSchema.parse({
      ...DOC,
      documentKey: `${DOC.documentKey}#c-0123456789`,
      billNo: `${DOC.billNo}-C012345`,
      correctionOf: DOC.documentKey,
    });
    const written = statusEvent(correction, {
      outcome: 'written',
      attempts: 1,
    });
    const changed = statusEvent(DOC, {
      outcome: 'changed_after_write',
      attempts: 1,
      errorClass: 'changed_after_write',
    });
    const plain = statusEvent(DOC, { outcome: 'written', attempts: 1 });

    expect(statusEventSchema.parse(written).change).toBe('corrected');
    expect(statusEventSchema.parse(changed).change).toBe('changed_after_write');
    expect(statusEventSchema.parse(plain).change).toBeUndefined();
  });
});
