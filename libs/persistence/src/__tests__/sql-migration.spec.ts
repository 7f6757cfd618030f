import { describe, expect, it } from 'vitest';
import type { QueryRunner } from 'typeorm';
import { sqlMigration } from '../sql-migration';

function recorder(): { runner: QueryRunner; sent: string[] } {
  const sent: string[] = [];
  const runner = {
    query: async (sql: string) => {
      sent.push(sql);
    },
  } as unknown as QueryRunner;
  return { runner, sent };
}

describe('sqlMigration', () => {
  it('should name the class and the instance by the migration name and run each direction in order', async () => {
    const Migration = sqlMigration('AddThing1700000000003', {
      up: [
        'CREATE TABLE a.thing (id int)',
        'CREATE INDEX thing_idx ON a.thing (id)',
      ],
      down: ['DROP TABLE a.thing'],
    });
    expect(Migration.name).toBe('AddThing1700000000003');
    const migration = new Migration();
    expect(migration.name).toBe('AddThing1700000000003');

    const up = recorder();
    await migration.up(up.runner);
    expect(up.sent).toEqual([
      'CREATE TABLE a.thing (id int)',
      'CREATE INDEX thing_idx ON a.thing (id)',
    ]);
    const down = recorder();
    await migration.down(down.runner);
    expect(down.sent).toEqual(['DROP TABLE a.thing']);
  });
});
