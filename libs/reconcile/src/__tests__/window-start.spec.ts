import { describe, expect, it } from 'vitest';
import { windowStartMs } from '../reconcile-flow';

const BEIJING = 480 * 60_000;

describe('windowStartMs', () => {
  it('should read the start of day, minute and sub-minute window keys (corrections too) in the plan time zone', () => {
    expect(windowStartMs('f:TM01|CK001:2026-05-01', BEIJING)).toBe(
      Date.parse('2026-04-30T16:00:00Z'),
    );
    expect(windowStartMs('f:TM01|CK001:2026-05-01T10:01', BEIJING)).toBe(
      Date.parse('2026-05-01T02:01:00Z'),
    );
    expect(
      windowStartMs('f:TM01|CK001:2026-05-01T10:01:20#late', BEIJING),
    ).toBe(Date.parse('2026-05-01T02:01:20Z'));
    expect(windowStartMs('not a window key', BEIJING)).toBeUndefined();
  });
});
