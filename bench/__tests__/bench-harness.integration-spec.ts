import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { BEGIN, END } from '../lib/report';
import { benchReportSchema, type BenchReport, type Row } from '../lib/types';

/*
 * The harness end to end with tiny N (`bench/run.ts --smoke`): its own broker on its own port, every scenario,
 * a JSON report that parses, a Markdown section. No timing is asserted: only that every scenario ran and its
 * records went where they should (nothing dead-lettered, every document written once).
 */
const ROOT = resolve(__dirname, '../..');
const run = promisify(execFile);

let report: BenchReport;
let markdown: string;

const scenario = (name: string): Row[] => {
  const s = report.scenarios.find((x) => x.name === name);
  if (!s) throw new Error(`no scenario ${name} in the report`);
  return s.rows;
};

describe('bench harness (smoke run)', () => {
  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kb-bench-smoke-'));
    const out = join(dir, 'report.json');
    const md = join(dir, 'BENCHMARKS.md');
    await copyFile(join(ROOT, 'BENCHMARKS.md'), md);
    await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'bench/run.ts',
        '--smoke',
        '--out',
        out,
        '--markdown',
        md,
      ],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          BENCH_DATABASE_URL:
            process.env['DATABASE_URL'] ??
            'postgres://postgres@127.0.0.1:5432/kingbridge_test',
        },
        maxBuffer: 1 << 26,
        timeout: 840_000,
      },
    );
    report = benchReportSchema.parse(JSON.parse(await readFile(out, 'utf8')));
    markdown = await readFile(md, 'utf8');
  }, 900_000);

  it('runs every scenario in order and says where and when', () => {
    expect(report.smoke).toBe(true);
    expect(report.scenarios.map((s) => s.name)).toEqual([
      'ceiling',
      'transform',
      'scale-out',
      'e2e-latency',
      'sink',
      'connector',
    ]);
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(report.loadAverage.start).toHaveLength(3);
    for (const s of report.scenarios) {
      expect(s.rows.length, s.name).toBeGreaterThan(0);
      for (const row of s.rows)
        for (const [k, v] of Object.entries(row))
          if (typeof v === 'number')
            expect(Number.isFinite(v), `${s.name}: ${k}`).toBe(true);
    }
  });

  it('measures the Kafka ceiling at each raw topic message size', () => {
    const rows = scenario('ceiling');
    expect(rows.map((r) => r['raw topic'])).toEqual([
      'jackyun',
      'wdt',
      'xiaoman',
    ]);
    const size = (p: string): number =>
      Number(rows.find((r) => r['raw topic'] === p)?.['median message B']);
    expect(size('jackyun')).toBeGreaterThan(700);
    expect(size('jackyun')).toBeLessThan(1600);
    expect(size('wdt')).toBeGreaterThan(2500);
    expect(size('xiaoman')).toBeGreaterThan(2000);
    for (const r of rows) {
      expect(Number(r['ProducerPerformance rec/s'])).toBeGreaterThan(0);
      expect(Number(r['ConsumerPerformance rec/s'])).toBeGreaterThan(0);
      expect(Number(r['kafkajs eachBatch rec/s'])).toBeGreaterThan(0);
    }
  });

  it('carries every transform record through Kafka, none dead-lettered', () => {
    const [merged, plain] = scenario('transform');
    expect(merged?.['dead-lettered']).toBe(0);
    expect(plain?.['dead-lettered']).toBe(0);
    expect(plain?.['documents out']).toBe(plain?.['records']);
    expect(Number(plain?.['ratio to producer ceiling'])).toBeGreaterThan(0);
    expect(Number(plain?.['peak RSS MB'])).toBeGreaterThan(0);
  });

  it('runs 1, 2 and 3 transform processes and a rebalance', () => {
    const rows = scenario('scale-out');
    expect(rows.map((r) => r['processes'])).toEqual([1, 2, 3, '1 → 2 → 1']);
  });

  it('writes every end-to-end document into the simulator once', () => {
    for (const r of scenario('e2e-latency')) {
      expect(r['written']).toBe(r['records']);
      expect(r['rewritten docs']).toBe(0);
      expect(Number(r['p99 ms'])).toBeGreaterThan(0);
    }
  });

  it('saturates the sink at each latency without rewriting a document', () => {
    const rows = scenario('sink');
    expect(rows.map((r) => r['L ms'])).toEqual([50, 100, 500]);
    for (const r of rows) expect(r['rewritten docs']).toBe(0);
  });

  it('drives the connector against the rate-limited simulator', () => {
    const [r] = scenario('connector');
    expect(Number(r?.['requests'])).toBeGreaterThan(0);
    expect(Number(r?.['records published'])).toBeGreaterThan(0);
  });

  it('writes the generated section of BENCHMARKS.md', () => {
    const section = markdown.slice(
      markdown.indexOf(BEGIN),
      markdown.indexOf(END),
    );
    expect(section).toContain('smoke run');
    expect(section).toContain('| raw topic | median message B |');
    expect(section).toContain('npm run bench:e2e-latency');
  });
});
