import { describe, expect, it } from 'vitest';
import { parseCron } from '../cron.util';
import { splitWindows } from '../time-window.util';

describe('parseCron', () => {
  it('should fire at the next midnight when the expression is daily at 00:00', () => {
    expect(
      parseCron('0 0 * * *')
        .next(new Date('2026-01-01T10:15:00Z'))
        .toISOString(),
    ).toBe('2026-01-02T00:00:00.000Z');
  });

  it('should fire at Beijing midnight when the offset is +8h', () => {
    expect(
      parseCron('0 0 * * *', 480)
        .next(new Date('2026-01-01T10:15:00Z'))
        .toISOString(),
    ).toBe('2026-01-01T16:00:00.000Z');
  });

  it('should honour steps and ranges when given', () => {
    const cron = parseCron('*/15 9-10 * * 1-5');
    expect(cron.next(new Date('2026-01-03T12:00:00Z')).toISOString()).toBe(
      '2026-01-05T09:00:00.000Z',
    );
    expect(cron.next(new Date('2026-01-05T09:00:00Z')).toISOString()).toBe(
      '2026-01-05T09:15:00.000Z',
    );
  });

  it('should throw naming the field when a field is out of range', () => {
    expect(() => parseCron('61 0 * * *')).toThrow('minute');
  });
});

describe('splitWindows', () => {
  it('should cover the range with windows no longer than the maximum when splitting', () => {
    const from = new Date('2026-01-01T00:00:00.700Z');
    const to = new Date('2026-01-15T12:00:00Z');
    const windows = splitWindows(from, to, 7 * 24 * 3600_000);
    expect(
      windows.map((w) => [w.from.toISOString(), w.to.toISOString()]),
    ).toEqual([
      ['2026-01-01T00:00:00.000Z', '2026-01-08T00:00:00.000Z'],
      ['2026-01-08T00:00:00.000Z', '2026-01-15T00:00:00.000Z'],
      ['2026-01-15T00:00:00.000Z', '2026-01-15T12:00:00.000Z'],
    ]);
  });

  it('should return nothing when the range is empty', () => {
    const t = new Date('2026-01-01T00:00:00Z');
    expect(splitWindows(t, t, 1000)).toEqual([]);
  });
});
