import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface PromtoolResult {
  readonly ok: boolean;
  readonly output: string;
}

/** `PROMTOOL` or `promtool` from PATH. */
export function promtoolPath(): string {
  return process.env['PROMTOOL'] ?? 'promtool';
}

/** Throws a message that says how to install promtool when it is missing. */
export function assertPromtoolAvailable(): void {
  const probe = spawnSync(promtoolPath(), ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `promtool not found (${promtoolPath()}): install it with ` +
        '`apt-get install -y --no-install-recommends prometheus` or set PROMTOOL=/path/to/promtool',
    );
  }
}

export function runPromtool(
  args: readonly string[],
  cwd?: string,
): PromtoolResult {
  const result = spawnSync(promtoolPath(), args, {
    encoding: 'utf8',
    cwd,
    timeout: 60_000,
  });
  return {
    ok: result.status === 0,
    output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`,
  };
}

/**
 * PromQL syntax check without a server: writes each expression as a recording
 * rule into a temporary rule file and runs `promtool check rules` on it.
 * Grafana variables must be substituted before (see grafanaExprToPromql).
 */
export function checkPromqlExpressions(
  exprs: ReadonlyArray<{ readonly name: string; readonly expr: string }>,
): PromtoolResult {
  const dir = mkdtempSync(join(tmpdir(), 'kb-promql-'));
  try {
    const file = join(dir, 'panels.yml');
    const rules = exprs.map((e, i) => ({
      record: `panel:check:${i}`,
      expr: e.expr,
      labels: { panel: e.name.slice(0, 100) },
    }));
    writeFileSync(file, stringify({ groups: [{ name: 'panels', rules }] }));
    return runPromtool(['check', 'rules', file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
