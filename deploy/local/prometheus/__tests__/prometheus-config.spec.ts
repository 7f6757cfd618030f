import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = resolve(__dirname, '../../../..');
const CONFIG = resolve(ROOT, 'deploy/local/prometheus/prometheus.yml');

interface ScrapeConfig {
  job_name: string;
  static_configs?: { targets: string[] }[];
}

function targetsByJob(): Map<string, string[]> {
  const config = parse(readFileSync(CONFIG, 'utf8')) as {
    scrape_configs: ScrapeConfig[];
  };
  return new Map(
    config.scrape_configs.map((job) => [
      job.job_name,
      (job.static_configs ?? []).flatMap((s) => s.targets),
    ]),
  );
}

/** Ports from the "Runtime facts" table of CONTRIBUTING.md, so the two cannot drift. */
function contributingPorts(row: RegExp): string[] {
  const text = readFileSync(resolve(ROOT, 'CONTRIBUTING.md'), 'utf8');
  const line = text.split('\n').find((l) => row.test(l));
  if (!line) throw new Error(`no ${row} row in CONTRIBUTING.md`);
  return [...line.matchAll(/\b(1[89]\d{3})\b/g)].map((m) => m[1] ?? '');
}

describe('local prometheus.yml', () => {
  it('should scrape every service port listed in CONTRIBUTING.md', () => {
    const ports = contributingPorts(/^\| Service HTTP/);
    const targets = [...targetsByJob().values()].flat();

    expect(ports.length).toBeGreaterThanOrEqual(7);
    for (const port of ports) expect(targets).toContain(`127.0.0.1:${port}`);
  });

  it('should scrape every simulator port listed in CONTRIBUTING.md', () => {
    const ports = contributingPorts(/^\| Simulators/);

    expect(targetsByJob().get('simulators')).toEqual(
      ports.map((p) => `127.0.0.1:${p}`),
    );
  });

  it('should use the job names of the docker and kubernetes configs', () => {
    const jobs = [...targetsByJob().keys()];

    expect(jobs).toEqual(
      expect.arrayContaining([
        'source-connector',
        'transform',
        'sink-kingdee',
        'status-exporter',
      ]),
    );
  });

  it('should pass promtool check config', () => {
    const result = spawnSync(
      process.env['PROMTOOL'] ?? 'promtool',
      ['check', 'config', CONFIG],
      { encoding: 'utf8' },
    );

    expect(
      result.error,
      'promtool missing: bash scripts/ensure-tools.sh',
    ).toBeUndefined();
    expect(`${result.stdout}${result.stderr}`).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });
});
