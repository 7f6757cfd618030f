import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '../..');

function cli(args: readonly string[]) {
  const r = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/tsx/dist/cli.mjs'),
      join(ROOT, 'scripts/reconcile.ts'),
      ...args,
    ],
    { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('scripts/reconcile.ts usage', () => {
  it('should print its usage and exit 0 on --help', () => {
    const r = cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--all');
    expect(r.stdout).toContain('Beijing time');
    expect(r.stdout).toContain('in flight');
  }, 60_000);

  it('should refuse a time it cannot read with exit 2, naming the forms it accepts', () => {
    const r = cli(['--all', '--from', 'yesterday']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a time: 'yesterday'.*Beijing time/);
  }, 60_000);

  it('should ask for --flow or --all', () => {
    const r = cli(['--from', 'now-1h']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('give --flow <plan id> or --all');
  }, 60_000);
});
