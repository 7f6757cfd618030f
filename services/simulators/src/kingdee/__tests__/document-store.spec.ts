import { describe, expect, it } from 'vitest';
import { DocumentStore } from '../shared/document-store';

const T1 = new Date('2026-01-01T00:00:00.000Z');
const T2 = new Date('2026-01-02T00:00:00.000Z');

describe('DocumentStore.save', () => {
  it('should insert a new bill when there is no existing one', () => {
    const store = new DocumentStore<{ v: number }>();
    const doc = store.save(undefined, 'F', 'NO-1', 'A', { v: 1 }, T1);
    expect(store.findByNumber('F', 'NO-1')).toBe(doc);
    expect(doc).toMatchObject({ billNo: 'NO-1', status: 'A', writeCount: 1 });
    expect(doc.history).toEqual([
      { op: 'create', at: T1.toISOString(), status: 'A' },
    ]);
  });

  it('should update the existing bill with the new number, status and body when one is given', () => {
    const store = new DocumentStore<{ v: number }>();
    const first = store.save(undefined, 'F', 'NO-1', 'A', { v: 1 }, T1);
    const again = store.save(first, 'F', 'NO-2', 'C', { v: 2 }, T2);
    expect(again).toBe(first);
    expect(again).toMatchObject({
      id: first.id,
      billNo: 'NO-2',
      status: 'C',
      body: { v: 2 },
      writeCount: 2,
      firstWrittenAt: T1.toISOString(),
      lastWrittenAt: T2.toISOString(),
    });
    expect(again.history.map((h) => [h.op, h.status])).toEqual([
      ['create', 'A'],
      ['update', 'C'],
    ]);
    expect(store.list()).toHaveLength(1);
  });
});
