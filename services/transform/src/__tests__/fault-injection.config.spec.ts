import { describe, expect, it } from 'vitest';
import { loadFaultInjection } from '../merge/fault-injection.config';

describe('test fault injection', () => {
  it('should ignore TRANSFORM_TEST_FAULT unless KINGBRIDGE_TEST_FAULTS=1', () => {
    expect(
      loadFaultInjection({ TRANSFORM_TEST_FAULT: 'after-outbox-produce:#c-' }),
    ).toBeUndefined();
    expect(loadFaultInjection({ KINGBRIDGE_TEST_FAULTS: '1' })).toBeUndefined();
  });

  it('should die only at the named point for a matching document key', () => {
    const died: string[] = [];
    const hook = loadFaultInjection(
      {
        KINGBRIDGE_TEST_FAULTS: '1',
        TRANSFORM_TEST_FAULT: 'after-emission-commit:#c-',
      },
      () => died.push('killed'),
    );
    hook?.('after-outbox-produce', ['f:S|W:2026-06-10#c-0123456789']);
    hook?.('after-emission-commit', ['f:S|W:2026-06-10']);
    expect(died).toEqual([]);
    hook?.('after-emission-commit', ['f:S|W:2026-06-10#c-0123456789']);
    expect(died).toEqual(['killed']);
  });

  it('should stop the start naming the variable when the fault is malformed', () => {
    expect(() =>
      loadFaultInjection({
        KINGBRIDGE_TEST_FAULTS: '1',
        TRANSFORM_TEST_FAULT: 'somewhere',
      }),
    ).toThrow(/TRANSFORM_TEST_FAULT/);
  });
});
