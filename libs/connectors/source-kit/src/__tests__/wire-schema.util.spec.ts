import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SourceApi } from '../source-api.util';
import { SourceRequestError } from '../source-request.error';
import { codedAnswerSchema, sourceRecordWire } from '../wire-schema.util';

class DemoRequestError extends SourceRequestError {}

const ids = { requestId: 'r1', endpoint: 'demo.list' };
const api = new SourceApi(DemoRequestError, {
  baseUrl: 'http://demo.invalid',
  timeoutMs: 1000,
});
const orderRecord = sourceRecordWire(
  { id: 'order_id', modified: 'update_time', what: 'order' },
  { order_no: z.string().nullish() },
);

function thrown(call: () => unknown): DemoRequestError {
  try {
    call();
  } catch (err) {
    if (err instanceof DemoRequestError) return err;
  }
  throw new Error('no request error thrown');
}

describe('codedAnswerSchema', () => {
  it('should coerce the code, allow a null message and pass other keys through', () => {
    const schema = codedAnswerSchema('msg', { data: z.array(z.number()) });
    expect(
      schema.parse({ code: '0', msg: null, data: [1], extra: 'kept' }),
    ).toEqual({ code: 0, msg: null, data: [1], extra: 'kept' });
  });

  it('should refuse an answer whose code is not an integer when parsed', () => {
    const schema = codedAnswerSchema('message', {});
    expect(schema.safeParse({ code: 'x', message: 'm' }).success).toBe(false);
  });
});

describe('SourceApi.record', () => {
  it('should read the id as a string, the modified time as ISO and keep the item as sent', () => {
    const raw = { order_id: 42, update_time: '2026-12-01 08:00:00', x: 1 };
    expect(api.record(orderRecord, raw, ids, 'data.list[0]')).toEqual({
      sourceId: '42',
      modifiedAt: '2026-12-01T08:00:00+08:00',
      payload: raw,
    });
  });

  it('should name the field under `at` and the noun when an item fails its schema', () => {
    const err = thrown(() =>
      api.record(orderRecord, { update_time: 'x' }, ids, 'data.list[3]'),
    );
    expect(err.fieldPath).toBe('data.list[3].order_id');
    expect(err.message).toMatch(/^invalid order: /);
  });

  it('should name the modified field when its time is not Beijing time', () => {
    const err = thrown(() =>
      api.record(orderRecord, { order_id: 'a', update_time: 'now' }, ids, 'd'),
    );
    expect([err.kind, err.fieldPath, err.message]).toEqual([
      'invalid_response',
      'd.update_time',
      'update_time is not yyyy-MM-dd HH:mm:ss (endpoint demo.list, request r1)',
    ]);
  });
});
