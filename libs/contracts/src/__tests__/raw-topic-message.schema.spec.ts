import { describe, expect, it } from 'vitest';
import {
  isWindowReplay,
  rawTopicMessageSchema,
} from '../topics/raw-record.schema';
import { formatZodIssues } from '../zod-path.util';

const RECORD = {
  schemaVersion: 1,
  platform: 'jackyun',
  entity: 'sales-order',
  stream: 'jackyun.sales-order.retail-shipped',
  sourceId: 'T1',
  modifiedAt: '2026-04-01T02:00:00.000Z',
  contentHash: 'a'.repeat(64),
  payload: { tradeNo: 'T1' },
  runId: 'run-1',
  fetchedAt: '2026-04-01T02:00:00.000Z',
};

describe('raw topic message schema', () => {
  it('should accept a raw record and a window replay request, telling them apart', () => {
    const record = rawTopicMessageSchema.parse(RECORD);
    const replay = rawTopicMessageSchema.parse({
      kind: 'window-replay',
      flow: 'f',
      windowKey: 'f:S|W:2026-04-01',
      sourceIds: ['T1'],
    });
    expect(isWindowReplay(record)).toBe(false);
    expect(isWindowReplay(replay)).toBe(true);
  });

  it("should report a bad record with the record schema's field paths", () => {
    const { payload: _payload, ...noPayload } = RECORD;
    const r = rawTopicMessageSchema.safeParse(noPayload);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['payload']);
    expect(formatZodIssues(r.error!)).toMatch(/^payload: /);
  });

  it('should report a bad replay request with its own field path', () => {
    const r = rawTopicMessageSchema.safeParse({
      windowKey: 'k',
      sourceIds: [],
    });
    expect(r.error?.issues[0]?.path).toEqual(['flow']);
  });
});
