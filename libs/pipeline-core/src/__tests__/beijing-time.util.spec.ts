import { describe, expect, it } from 'vitest';
import {
  chinaTimeToIso,
  formatBeijing,
  formatBeijingDate,
  formatChinaTime,
  parseBeijing,
} from '../beijing-time.util';

describe('Beijing time', () => {
  it('should format an instant as the wall clock in Beijing, across the UTC date line', () => {
    const ms = Date.parse('2024-03-31T16:30:05Z');
    expect(formatBeijing(ms)).toBe('2024-04-01 00:30:05');
    expect(formatBeijingDate(ms)).toBe('2024-04-01');
    expect(formatChinaTime(new Date(ms))).toBe('2024-04-01 00:30:05');
  });

  it('should parse only real Beijing wall-clock times and round-trip them', () => {
    expect(parseBeijing('2024-04-01 00:30:05')).toBe(
      Date.parse('2024-03-31T16:30:05Z'),
    );
    expect(parseBeijing('2024-02-29 23:59:59')).toBe(
      Date.parse('2024-02-29T15:59:59Z'),
    );
    for (const bad of [
      '2023-02-29 00:00:00',
      '2024-01-01 24:00:00',
      '2024-01-01 12:60:00',
      '2024-01-01T12:00:00',
      '2024-1-01 12:00:00',
    ])
      expect(parseBeijing(bad), bad).toBeNull();
    expect(parseBeijing('2024-01-01')).toBeNull();
    expect(parseBeijing('2024-01-01', true)).toBe(
      Date.parse('2023-12-31T16:00:00Z'),
    );
    const ms = Date.parse('2026-11-11T00:00:01Z');
    expect(parseBeijing(formatBeijing(ms))).toBe(ms);
  });

  it('should read a platform time as an ISO instant with the +08:00 offset', () => {
    expect(chinaTimeToIso('2024-04-01 00:30:05')).toBe(
      '2024-04-01T00:30:05+08:00',
    );
    expect(chinaTimeToIso(' 2024-04-01T00:30:05.120 ')).toBe(
      '2024-04-01T00:30:05.120+08:00',
    );
    expect(chinaTimeToIso('2024-04-01')).toBeUndefined();
    expect(chinaTimeToIso(1711902605000)).toBeUndefined();
  });
});
