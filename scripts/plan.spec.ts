import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..');

function plan(...args: string[]): {
  code: number | null;
  stdout: string;
  stderr: string;
} {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'scripts/plan.ts'), ...args],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('plan cli', () => {
  it('should validate every shipped plan', () => {
    const r = plan('validate', 'plans');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('5 plan(s) valid');
  });

  it('should exit 1 with the file and field path when a plan is bad', () => {
    // Arrange
    const dir = mkdtempSync(join(tmpdir(), 'plan-cli-'));
    const text = readFileSync(
      join(ROOT, 'plans/xiaoman-orders-to-k3wise-so.yaml'),
      'utf8',
    );
    writeFileSync(
      join(dir, 'flow.yaml'),
      text.replace('  formId: /SO/Save\n', ''),
    );

    // Act
    const r = plan('validate', dir);

    // Assert
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `${join(dir, 'flow.yaml')}: target.formId: Required`,
    );
  });

  it('should print documents and per-record errors of a dry run', () => {
    // Arrange
    const fixture = join(
      ROOT,
      'libs/transform-engine/fixtures/jushuitan-count-loss-to-jdy',
    );

    // Act
    const r = plan(
      'dry-run',
      'plans/jushuitan-count-loss-to-jdy.yaml',
      join(fixture, 'input.json'),
      '--lookups',
      join(fixture, 'lookups.json'),
    );
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; fieldPath?: string });

    // Assert
    expect(r.code).toBe(1);
    expect(lines.map((l) => l.kind)).toEqual([
      'document',
      'filtered',
      'filtered',
      'error',
    ]);
    expect(lines[3]?.fieldPath).toBe('material_entity[0].material_id');
  });
});
