import { describe, expect, it } from 'vitest';
import { parseCron } from '../cron.util';
import { sourceStreamSchema } from '../stream-config.schema';
import { splitWindows } from '../time-window.util';

describe('parseCron', () => {
  it('should fire at the next midnight when the expression is daily at 00:00 UTC', () => {
    expect(
      parseCron('0 0 * * *', 'UTC')
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

  it('should read the cron in Beijing time when no zone is given', () => {
    const cron = parseCron('0 0 * * *');
    expect(cron.zone).toBe('Asia/Shanghai');
    expect(cron.next(new Date('2026-01-01T10:15:00Z')).toISOString()).toBe(
      '2026-01-01T16:00:00.000Z',
    );
  });

  it.each([
    // 23:30 Beijing is 15:30 UTC the same day.
    ['30 23 * * *', '2026-03-10T15:00:00Z', '2026-03-10T15:30:00.000Z'],
    // 00:15 Beijing on the 11th is still the 10th in UTC.
    ['15 0 * * *', '2026-03-10T15:50:00Z', '2026-03-10T16:15:00.000Z'],
    // Monday 01:00 Beijing is Sunday 17:00 UTC.
    ['0 1 * * 1', '2026-03-07T00:00:00Z', '2026-03-08T17:00:00.000Z'],
    // The 1st at 02:00 Beijing is the last day of the month before in UTC.
    ['0 2 1 * *', '2026-03-15T00:00:00Z', '2026-03-31T18:00:00.000Z'],
    // New Year in Beijing is New Year's Eve in UTC.
    ['0 0 1 1 *', '2026-06-01T00:00:00Z', '2026-12-31T16:00:00.000Z'],
    // Strictly after: a run exactly at midnight Beijing schedules the next day.
    ['0 0 * * *', '2026-03-10T16:00:00Z', '2026-03-11T16:00:00.000Z'],
  ])(
    'should schedule %s across the day boundary in Asia/Shanghai (after %s: %s)',
    (expression, after, next) => {
      for (const zone of ['Asia/Shanghai', 480]) {
        expect(
          parseCron(expression, zone).next(new Date(after)).toISOString(),
        ).toBe(next);
      }
    },
  );

  it('should honour steps and ranges when given', () => {
    const cron = parseCron('*/15 9-10 * * 1-5', 'UTC');
    expect(cron.next(new Date('2026-01-03T12:00:00Z')).toISOString()).toBe(
      '2026-01-05T09:00:00.000Z',
    );
    expect(cron.next(new Date('2026-01-05T09:00:00Z')).toISOString()).toBe(
      '2026-01-05T09:15:00.000Z',
    );
  });

  it('should fire on a day matching either day field when both are restricted', () => {
    // The 13th or a Friday: 2026-01-02 is a Friday.
    expect(
      parseCron('0 0 13 * 5', 'UTC')
        .next(new Date('2026-01-01T10:15:00Z'))
        .toISOString(),
    ).toBe('2026-01-02T00:00:00.000Z');
  });

  it('should throw naming the field when a field is out of range', () => {
    expect(() => parseCron('61 0 * * *')).toThrow('minute');
  });

  it.each([
    ['0 25 * * *', 'bad hour "25"'],
    ['x 0 * * *', 'bad minute "x"'],
    ['0 0 * * 8', 'bad day of week "8"'],
    ['0 0 32 * *', 'bad day of month "32"'],
    ['0 0 * 13 *', 'bad month "13"'],
    ['*/0 * * * *', 'bad minute "*/0"'],
    ['0 0 * *', 'expected 5 fields'],
    ['0 0 0 * * *', 'expected 5 fields'],
  ])('should refuse %j (%s)', (expression, message) => {
    expect(() => parseCron(expression)).toThrow(message);
  });

  it('should refuse an unknown time zone and a cron that never fires', () => {
    expect(() => parseCron('0 0 * * *', 'Asia/Nowhere')).toThrow(
      'unknown time zone "Asia/Nowhere"',
    );
    expect(() =>
      parseCron('0 0 31 2 *').next(new Date('2026-01-01T00:00:00Z')),
    ).toThrow('never fires');
  });
});

describe('remediationCron in the stream schema', () => {
  const stream = (remediationCron: string) =>
    sourceStreamSchema.safeParse({
      id: 'jackyun-trades',
      platform: 'jackyun',
      entity: 'sales-order',
      remediationCron,
    });

  it('should accept a valid cron', () => {
    expect(stream('30 1 * * *').success).toBe(true);
  });

  it.each([
    ['0 25 * * *', 'hour'],
    ['0 0 31 2 *', 'never fires'],
  ])('should refuse %j naming the field and the problem', (cron, problem) => {
    const result = stream(cron);
    expect(result.success).toBe(false);
    const issue = result.error?.issues[0];
    expect(issue?.path).toEqual(['remediationCron']);
    expect(issue?.message).toContain(problem);
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
