import { describe, expect, it } from 'vitest';
import {
  DATA_TOPIC_PARTITIONS,
  topicsOf,
  deadLetterSchema,
  dlqTopic,
  formatZodIssues,
  outboundDocumentSchema,
  outboundTopic,
  rawRecordSchema,
  rawTopicName,
  statusEventSchema,
} from '../index';

const raw = {
  schemaVersion: 1,
  platform: 'jackyun',
  entity: 'sales-order',
  stream: 'jackyun.sales-order.shipped',
  sourceId: '2093847561029384756',
  modifiedAt: '2026-11-01T10:00:00+08:00',
  contentHash: 'a'.repeat(64),
  payload: { tradeNo: 'JY001', goodsDetail: [] },
  runId: 'run-1',
  fetchedAt: '2026-11-01T02:00:05.000Z',
};

const outbound = {
  schemaVersion: 1,
  flow: 'jackyun-retail-orders-to-k3cloud-outstock',
  documentKey: 'jackyun-retail-orders-to-k3cloud-outstock:SHOP1:2026-11-01',
  target: 'k3cloud',
  formId: 'SAL_OUTSTOCK',
  operation: 'BatchSave',
  billNo: 'KB-XSCK-0001',
  document: { FBillNo: 'KB-XSCK-0001' },
  lineage: {
    platform: 'jackyun',
    stream: 'jackyun.sales-order.shipped',
    sourceIds: ['1', '2'],
    firstFetchedAt: '2026-11-01T02:00:05.000Z',
  },
  createdAt: '2026-11-01T02:00:06.000Z',
};

describe('contracts', () => {
  it('should accept a valid raw record and keep big ids as strings', () => {
    const parsed = rawRecordSchema.parse(raw);
    expect(parsed.sourceId).toBe('2093847561029384756');
  });

  it('should name the offending field when a raw record is invalid', () => {
    const result = rawRecordSchema.safeParse({
      ...raw,
      contentHash: 'xyz',
      payload: 3,
    });
    expect(result.success).toBe(false);
    if (!result.success) {
      const text = formatZodIssues(result.error);
      expect(text).toContain('contentHash');
      expect(text).toContain('payload');
    }
  });

  it('should default batchRows to 20 and rawOffsets to empty on outbound documents', () => {
    const parsed = outboundDocumentSchema.parse(outbound);
    expect(parsed.batchRows).toBe(20);
    expect(parsed.lineage.rawOffsets).toEqual([]);
  });

  it('should reject an outbound document for an unknown Kingdee target', () => {
    expect(
      outboundDocumentSchema.safeParse({ ...outbound, target: 'sap' }).success,
    ).toBe(false);
  });

  it('should reject a status event with an unbounded error class', () => {
    const event = {
      schemaVersion: 1,
      flow: 'f',
      documentKey: 'k',
      target: 'jdy',
      formId: 'inv_check_loss_bill',
      billNo: 'B1',
      outcome: 'dead_lettered',
      attempts: 1,
      errorClass: 'something-new',
      sourceIds: ['1'],
      at: '2026-11-01T02:00:06.000Z',
    };
    expect(statusEventSchema.safeParse(event).success).toBe(false);
    expect(
      statusEventSchema.safeParse({ ...event, errorClass: 'lookup' }).success,
    ).toBe(true);
  });

  it('should require original coordinates and attempts on a dead letter', () => {
    const dl = {
      schemaVersion: 1,
      service: 'transform',
      originalTopic: 'oms.wdt.stockout-order.raw.v1',
      partition: 0,
      offset: '42',
      key: null,
      value: Buffer.from('{bad').toString('base64'),
      errorClass: 'schema',
      errorMessage: 'not JSON',
      firstFailedAt: '2026-11-01T02:00:06.000Z',
      lastFailedAt: '2026-11-01T02:00:06.000Z',
      attempts: 1,
    };
    expect(deadLetterSchema.parse(dl).headers).toEqual({});
    expect(deadLetterSchema.safeParse({ ...dl, attempts: 0 }).success).toBe(
      false,
    );
  });

  it('should define every topic once with >= 6 partitions for raw and outbound topics and a DLQ for each', () => {
    const topics = topicsOf([
      {
        platform: 'xiaoman',
        entity: 'sales-order',
        domain: 'crm',
        api: '/v1/invoices/order/list',
        method: 'GET',
        idField: 'order_id',
      },
    ]);
    const names = topics.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const t of topics.filter((t) =>
      /\.(raw|outbound)\.v\d+$/.test(t.name),
    )) {
      expect(t.partitions).toBeGreaterThanOrEqual(DATA_TOPIC_PARTITIONS);
      expect(names).toContain(dlqTopic(t.name));
    }
    expect(names).toContain(outboundTopic('k3wise'));
    expect(names).toContain('crm.xiaoman.sales-order.raw.v1');
    expect(
      rawTopicName({
        domain: 'oms',
        platform: 'wdt',
        entity: 'stockout-order',
      }),
    ).toBe('oms.wdt.stockout-order.raw.v1');
  });
});
