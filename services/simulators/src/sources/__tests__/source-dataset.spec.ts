import { describe, expect, it } from 'vitest';
import { withDuplicates } from '../source-dataset';

describe('source dataset paging helpers', () => {
  it('should duplicate a share of records one page later without losing any', () => {
    const list = Array.from({ length: 1000 }, (_, i) => ({ id: String(i) }));
    const out = withDuplicates(list, 0.1, 3, (r) => r.id, 50);
    expect(new Set(out.map((r) => r.id)).size).toBe(1000);
    const extra = out.length - 1000;
    expect(extra).toBeGreaterThan(60);
    expect(extra).toBeLessThan(140);
    expect(withDuplicates(list, 0, 3, (r) => r.id, 50)).toHaveLength(1000);
  });
});
