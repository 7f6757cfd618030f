import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { metricValue } from '../lib/service';
import { longestStall } from '../lib/transform-run';
import { BEGIN, END, writeMarkdown } from '../lib/report';
import type { BenchReport } from '../lib/types';
import {
  parseConsumerPerformance,
  parseProducerPerformance,
} from '../scenarios/ceiling';
import { percentile } from '../scenarios/e2e-latency';

describe('bench helpers', () => {
  it('reads the last ProducerPerformance result line', () => {
    const out = [
      '49981 records sent, 9994.2 records/sec (9.53 MB/sec), 1.1 ms avg latency, 300.0 ms max latency.',
      '100000 records sent, 40209.087254 records/sec (38.35 MB/sec), 535.73 ms avg latency, 820.00 ms max latency, 542 ms 50th, 715 ms 95th, 784 ms 99th, 819 ms 99.9th.',
    ].join('\n');
    expect(parseProducerPerformance(out)).toBeCloseTo(40209.087254);
    expect(() => parseProducerPerformance('nothing')).toThrow(/no result/);
  });

  it('reads nMsg.sec and fetch.nMsg.sec from ConsumerPerformance', () => {
    const out = [
      'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec',
      '2026-12-02 15:42:15:638, 2026-12-02 15:42:17:346, 95.3674, 55.8357, 100000, 58548.0094, 655, 1053, 90.5674, 94966.7616',
    ].join('\n');
    expect(parseConsumerPerformance(out)).toEqual({
      overall: 58548.0094,
      fetch: 94966.7616,
    });
  });

  it('finds the longest stretch without committed progress inside the window', () => {
    const samples: Array<[number, number]> = [
      [0, 0],
      [100, 10],
      [200, 10],
      [300, 10],
      [400, 20],
      [500, 30],
      [600, 30],
      [700, 40],
    ];
    expect(longestStall(samples, 0)).toBe(300); // 100 → 400
    expect(longestStall(samples, 450)).toBe(200); // 500 → 700
    expect(longestStall(samples, 0, 250)).toBe(100);
  });

  it('takes nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 0.5)).toBe(50);
    expect(percentile(sorted, 0.99)).toBe(99);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.5)).toBe(0);
  });

  it('sums a Prometheus metric over the series matching the labels', () => {
    const text = [
      '# HELP kingbridge_transform_records_total x',
      'kingbridge_transform_records_total{flow="a",outcome="in"} 5',
      'kingbridge_transform_records_total{flow="a",outcome="out"} 3',
      'kingbridge_transform_records_total{flow="b",outcome="out"} 4',
      'kingbridge_transform_records_total_other{flow="a",outcome="out"} 100',
    ].join('\n');
    expect(
      metricValue(text, 'kingbridge_transform_records_total', {
        outcome: 'out',
      }),
    ).toBe(7);
    expect(
      metricValue(text, 'kingbridge_transform_records_total', { flow: 'a' }),
    ).toBe(8);
  });

  it('replaces only the generated part of BENCHMARKS.md', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kb-bench-md-')), 'B.md');
    writeFileSync(
      file,
      `# Benchmarks\n\nhand-written\n\n${BEGIN}\nold\n${END}\n\nafter\n`,
    );
    const report: BenchReport = {
      schemaVersion: 1,
      startedAt: '2026-12-02T10:00:00.000Z',
      finishedAt: '2026-12-02T10:05:00.000Z',
      smoke: false,
      machine: {
        cpuModel: 'cpu',
        cores: 2,
        memoryGb: 24,
        freeMemoryGb: 20,
        node: 'v20',
        kernel: '6',
      },
      kafkaVersion: '3.9.1',
      loadAverage: { start: [1, 2, 3], end: [4, 5, 6] },
      scenarios: [
        {
          name: 'sink',
          title: 'Sink',
          rows: [{ 'L ms': 50, 'ratio to C·R/L': 0.93 }],
          notes: ['a note'],
          loadAverage: { before: 1, after: 2 },
          seconds: 12,
        },
      ],
    };
    writeMarkdown(file, report);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('hand-written');
    expect(text).toContain('after');
    expect(text).not.toContain('\nold\n');
    expect(text).toContain('| L ms | ratio to C·R/L |');
    expect(text).toContain('| 50 | 0.93 |');
    expect(text).toContain('Load average (1/5/15 min) at start 1 / 2 / 3');
    expect(text.split(BEGIN)).toHaveLength(2);
    // --markdown naming a file that is not there yet: the generated part alone.
    const fresh = join(mkdtempSync(join(tmpdir(), 'kb-bench-md-')), 'new.md');
    writeMarkdown(fresh, report);
    const made = readFileSync(fresh, 'utf8');
    expect(made.split(BEGIN)).toHaveLength(2);
    expect(made).toContain('| 50 | 0.93 |');
  });
});
