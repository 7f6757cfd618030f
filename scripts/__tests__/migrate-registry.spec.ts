import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { MigrationInterface } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { unregisteredMigrationFiles, unregisteredMigrations } from '../migrate';

function migration(name: string): new () => MigrationInterface {
  const cls = class implements MigrationInterface {
    async up(): Promise<void> {}
    async down(): Promise<void> {}
  };
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}

describe('migrate --check: unregistered migration files', () => {
  it('should name a migration file that no registered class stands for', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kb-migrations-'));
    await writeFile(join(dir, '1763850000000-transform-state.ts'), '');
    await writeFile(join(dir, '1764600000000-merge-outbox.ts'), '');
    await writeFile(join(dir, 'index.ts'), '');

    const missing = unregisteredMigrationFiles(dir, [
      migration('TransformState1763850000000'),
    ]);

    expect(missing).toEqual(['1764600000000-merge-outbox.ts']);
  });

  it('should find every migration of the repo registered', async () => {
    const reports = await unregisteredMigrations();

    expect(reports.map((r) => r.service)).toContain('transform');
    expect(reports.flatMap((r) => r.names)).toEqual([]);
    expect(resolve(__dirname, '../migrate.ts')).toMatch(/scripts/);
  });
});
