import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dropDatabase, withDatabase } from '@kingbridge/persistence';
import { checkPending, loadServiceMigrations, migrateAll } from '../migrate';

const ROOT = resolve(__dirname, '../..');
const BASE_URL =
  process.env['DATABASE_URL'] ??
  'postgres://postgres@127.0.0.1:5432/kingbridge_test';

describe('scripts/migrate.ts', () => {
  const url = withDatabase(
    BASE_URL,
    `kb_migrate_${randomBytes(5).toString('hex')}`,
  );

  afterAll(async () => {
    await dropDatabase(url);
  });

  it('should find the services that own migrations', async () => {
    const found = await loadServiceMigrations();

    expect(found.map((s) => s.service)).toContain('source-connector');
    for (const s of found) expect(s.migrations.length).toBeGreaterThan(0);
  });

  it('should fail the pending check on an empty database and pass it after migrateAll', async () => {
    const before = await checkPending(url);
    expect(before.some((r) => r.names.length > 0)).toBe(true);
    const cli = (): number | null =>
      spawnSync(
        resolve(ROOT, 'node_modules/.bin/tsx'),
        ['scripts/migrate.ts', '--check'],
        {
          cwd: ROOT,
          env: { ...process.env, DATABASE_URL: url },
          encoding: 'utf8',
        },
      ).status;
    expect(cli()).toBe(1);

    const ran = await migrateAll(url);

    expect(ran.flatMap((r) => r.names).sort()).toEqual(
      before.flatMap((r) => r.names).sort(),
    );
    expect((await checkPending(url)).every((r) => r.names.length === 0)).toBe(
      true,
    );
    expect((await migrateAll(url)).flatMap((r) => r.names)).toEqual([]);
    expect(cli()).toBe(0);
  });
});
