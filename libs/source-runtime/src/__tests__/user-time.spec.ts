import { describe, expect, it } from 'vitest';
import { formatBeijingTime, parseUserTime } from '../time-window.util';

describe('parseUserTime', () => {
  const now = Date.parse('2026-12-02T16:00:00Z');

  it('should read a time without offset as Beijing time', () => {
    expect(parseUserTime('2026-12-03 00:30', now)).toBe(
      Date.parse('2026-12-02T16:30:00Z'),
    );
    expect(parseUserTime('2026-12-03T00:30:15', now)).toBe(
      Date.parse('2026-12-02T16:30:15Z'),
    );
    expect(parseUserTime('2026-12-03', now)).toBe(
      Date.parse('2026-12-02T16:00:00Z'),
    );
  });

  it('should keep an explicit offset or Z as given', () => {
    expect(parseUserTime('2026-12-02T10:00:00Z', now)).toBe(
      Date.parse('2026-12-02T10:00:00Z'),
    );
    expect(parseUserTime('2026-12-02T10:00:00+02:00', now)).toBe(
      Date.parse('2026-12-02T08:00:00Z'),
    );
  });

  it('should read now and now minus a duration relative to now', () => {
    expect(parseUserTime('now', now)).toBe(now);
    expect(parseUserTime('now-1h', now)).toBe(now - 3_600_000);
    expect(parseUserTime('now-2m', now)).toBe(now - 120_000);
    expect(parseUserTime('now-7d', now)).toBe(now - 7 * 86_400_000);
  });

  it('should refuse text that is no time, naming what it accepts', () => {
    expect(() => parseUserTime('yesterday', now)).toThrow(/Beijing time/);
    expect(() => parseUserTime('2026-13-40 99:00', now)).toThrow(/not a time/);
  });

  it('should say a time back in Beijing time', () => {
    expect(formatBeijingTime(Date.parse('2026-12-02T16:30:15Z'))).toBe(
      '2026-12-03 00:30:15',
    );
  });
});
