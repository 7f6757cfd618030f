import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '../..');

function cli(args: readonly string[], env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/tsx/dist/cli.mjs'),
      join(ROOT, 'scripts/reconcile.ts'),
      ...args,
    ],
    { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env },
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

  it('should refuse --kingdee with a reader it does not know', () => {
    const r = cli(['--all', '--kingdee', 'sql']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /--kingdee: .*'api' \| 'simulator'|--kingdee: .*api.*simulator/,
    );
  }, 60_000);

  it('should name the missing K3Cloud secret when reading the real K3Cloud (the default without --demo)', () => {
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('K3CLOUD_')),
    );
    const lookups = join(
      mkdtempSync(join(tmpdir(), 'kb-rec-')),
      'lookups.json',
    );
    writeFileSync(lookups, '{}');
    const r = cli(
      ['--flow', 'wdt-stockout-to-k3cloud-outstock', '--lookups', lookups],
      { ...env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--kingdee api');
    expect(r.stderr).toContain('K3CLOUD_PASSWORD');
  }, 60_000);
});
