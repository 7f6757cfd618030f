import { describe, expect, it } from 'vitest';
import type { QueryRunner } from 'typeorm';
import { schemaMigration } from '../schema-migration';
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

describe('schemaMigration', () => {
  const Migration = schemaMigration('CreateThings1700000000004', 'a', {
    thing: {
      columns: { id: 'bigserial PRIMARY KEY', kind: 'text NOT NULL' },
      indexes: { thing_kind_idx: '(kind)' },
    },
    part: {
      columns: { thing_id: 'bigint NOT NULL', n: 'integer NOT NULL' },
      constraints: ['PRIMARY KEY (thing_id, n)'],
      indexes: { part_open_idx: '(thing_id) WHERE n > 0' },
    },
  });

  it('should create the schema, then each table followed by its indexes when run up', async () => {
    const up = recorder();

    await new Migration().up(up.runner);

    expect(up.sent).toEqual([
      'CREATE SCHEMA IF NOT EXISTS a',
      'CREATE TABLE a.thing (\n  id bigserial PRIMARY KEY,\n  kind text NOT NULL\n)',
      'CREATE INDEX thing_kind_idx ON a.thing (kind)',
      'CREATE TABLE a.part (\n  thing_id bigint NOT NULL,\n  n integer NOT NULL,\n  PRIMARY KEY (thing_id, n)\n)',
      'CREATE INDEX part_open_idx ON a.part (thing_id) WHERE n > 0',
    ]);
  });

  it('should drop the tables in reverse order and keep the schema when run down', async () => {
    const down = recorder();

    await new Migration().down(down.runner);

    expect(down.sent).toEqual(['DROP TABLE a.part', 'DROP TABLE a.thing']);
  });

  it('should name the class and the instance by the migration name when built', () => {
    expect(Migration.name).toBe('CreateThings1700000000004');
    expect(new Migration().name).toBe('CreateThings1700000000004');
  });
});
