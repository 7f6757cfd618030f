import { describe, expect, it } from 'vitest';
import { traceInMessages, type TracedMessage } from '../record-trace';

const HASH = 'a'.repeat(64);
const raw = (sourceId: string, offset: string): TracedMessage => ({
  topic: 'oms.wdt.stockout-order.raw.v1',
  partition: 2,
  offset,
  key: sourceId,
  value: JSON.stringify({
    schemaVersion: 1,
    platform: 'wdt',
    entity: 'stockout-order',
    stream: 'wdt.stockout-order.shipped',
    sourceId,
    modifiedAt: '2026-11-20T01:00:00+08:00',
    contentHash: HASH,
    payload: { stockout_id: sourceId },
    runId: 'run-1',
    fetchedAt: '2026-11-20T01:00:05+08:00',
  }),
});

describe('traceInMessages', () => {
  it('should follow a record from its raw offset to a dead letter when the sink rejected its document', () => {
    const status = {
      schemaVersion: 1,
      flow: 'wdt-flow',
      documentKey: 'wdt-flow:S1',
      target: 'k3cloud',
      formId: 'SAL_OUTSTOCK',
      billNo: 'B1',
      outcome: 'dead_lettered',
      attempts: 1,
      errorClass: 'validation',
      errorMessage: '字段“客户”是必填项',
      sourceIds: ['S1'],
      at: '2026-11-20T01:00:09+08:00',
    };
    const messages: TracedMessage[] = [
      raw('S1', '41'),
      raw('S2', '42'),
      {
        topic: 'erp.kingdee.write-status.v1',
        partition: 0,
        offset: '7',
        key: 'wdt-flow:S1',
        value: JSON.stringify(status),
      },
      {
        topic: 'erp.kingdee.write-status.v1',
        partition: 0,
        offset: '8',
        key: 'x',
        value: 'not json',
      },
    ];
    const steps = traceInMessages('S1', messages);
    expect(steps.map((s) => [s.step, s.where])).toEqual([
      ['fetched', 'oms.wdt.stockout-order.raw.v1[2]@41'],
      ['status', 'erp.kingdee.write-status.v1[0]@7'],
    ]);
    expect(steps[1]?.detail).toMatchObject({
      outcome: 'dead_lettered',
      errorMessage: '字段“客户”是必填项',
    });
  });

  it('should find the dead letter of a raw record when the transform could not map it', () => {
    const dead = {
      schemaVersion: 1,
      service: 'transform',
      flow: 'wdt-flow',
      originalTopic: 'oms.wdt.stockout-order.raw.v1',
      partition: 2,
      offset: '41',
      key: 'S1',
      value: null,
      headers: {},
      errorClass: 'lookup',
      errorMessage: 'no stocks row for wh_id=9',
      firstFailedAt: '2026-11-20T00:00:00Z',
      lastFailedAt: '2026-11-20T00:00:00Z',
      attempts: 1,
    };
    const steps = traceInMessages('S1', [
      raw('S1', '41'),
      {
        topic: 'oms.wdt.stockout-order.raw.v1.dlq',
        partition: 0,
        offset: '3',
        key: 'S1',
        value: JSON.stringify(dead),
      },
    ]);
    expect(steps.map((s) => s.step)).toEqual(['fetched', 'dead-letter']);
    expect(steps[1]?.detail).toMatchObject({
      errorClass: 'lookup',
      original: 'oms.wdt.stockout-order.raw.v1[2]@41',
    });
  });

  it('should find nothing when the id never appears', () => {
    expect(traceInMessages('S9', [raw('S1', '1')])).toEqual([]);
  });
});
