import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { Client } from 'pg';
import {
  Column,
  Entity,
  PrimaryColumn,
  type MigrationInterface,
  type QueryRunner,
} from 'typeorm';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '@kingbridge/observability';
import {
  DatabaseUnavailableError,
  TimestamptzColumn,
  connectWithRetry,
  createDataSource,
  dropDatabase,
  ensureDatabase,
  pendingMigrations,
  pingDatabase,
  runMigrations,
  waitForPostgres,
  withDatabase,
} from '../index';

const BASE_URL =
  process.env['DATABASE_URL'] ??
  'postgres://postgres@127.0.0.1:5432/kingbridge_test';
const SCHEMA = 'persistence_test';
const created: string[] = [];

function uniqueDatabaseUrl(): string {
  const url = withDatabase(
    BASE_URL,
    `kb_persistence_${randomBytes(5).toString('hex')}`,
  );
  created.push(url);
  return url;
}

class CreateStreamCheckpoint1700000000001 implements MigrationInterface {
  name = 'CreateStreamCheckpoint1700000000001';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE ${SCHEMA}.stream_checkpoint (
      stream_id text PRIMARY KEY,
      checkpoint_at timestamptz NOT NULL)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ${SCHEMA}.stream_checkpoint`);
  }
}

class AddRunId1700000000002 implements MigrationInterface {
  name = 'AddRunId1700000000002';
  async up(q: QueryRunner): Promise<void> {
    // Unqualified on purpose: the schema leads the search_path.
    await q.query(`ALTER TABLE stream_checkpoint ADD COLUMN last_run_id text`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE stream_checkpoint DROP COLUMN last_run_id`);
  }
}

const MIGRATIONS = [CreateStreamCheckpoint1700000000001, AddRunId1700000000002];

@Entity()
class StreamCheckpoint {
  @PrimaryColumn({ type: 'text' })
  streamId!: string;

  @TimestamptzColumn()
  checkpointAt!: Date;

  @Column({ type: 'text', nullable: true })
  lastRunId!: string | null;
}

@Entity({ name: 'stream_checkpoint' })
class ZonelessCheckpoint {
  @PrimaryColumn({ type: 'text' })
  streamId!: string;

  @Column({ type: 'timestamp' })
  checkpointAt!: Date;
}

async function tablesIn(url: string, schema: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const res = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
      [schema],
    );
    return res.rows.map((r) => r.table_name);
  } finally {
    await client.end();
  }
}

function quietLogger(): {
  logger: ReturnType<typeof createLogger>;
  lines: () => Record<string, unknown>[];
} {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done): void {
      chunks.push(chunk.toString());
      done();
    },
  });
  return {
    logger: createLogger('persistence-test', 'info', stream),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

afterAll(async () => {
  for (const url of created) await dropDatabase(url);
});

describe('runMigrations', () => {
  it('should create the database and schema and apply every migration when the database is empty', async () => {
    const url = uniqueDatabaseUrl();
    expect(
      await pendingMigrations(url, MIGRATIONS, { schema: SCHEMA }),
    ).toEqual(['CreateStreamCheckpoint1700000000001', 'AddRunId1700000000002']);

    const ran = await runMigrations(url, MIGRATIONS, { schema: SCHEMA });

    expect(ran).toEqual([
      'CreateStreamCheckpoint1700000000001',
      'AddRunId1700000000002',
    ]);
    expect(await tablesIn(url, SCHEMA)).toEqual([
      'migrations',
      'stream_checkpoint',
    ]);
    expect(
      await pendingMigrations(url, MIGRATIONS, { schema: SCHEMA }),
    ).toEqual([]);
    expect(await runMigrations(url, MIGRATIONS, { schema: SCHEMA })).toEqual(
      [],
    );
  });

  it('should report pending migrations without creating anything when the database is missing', async () => {
    const url = uniqueDatabaseUrl();

    const pending = await pendingMigrations(url, MIGRATIONS, {
      schema: SCHEMA,
    });

    expect(pending).toHaveLength(2);
    expect(await ensureDatabase(url)).toBe(true);
    expect(await ensureDatabase(url)).toBe(false);
  });

  it('should apply each migration once when two runs race on a fresh database', async () => {
    const url = uniqueDatabaseUrl();

    const [a, b] = await Promise.all([
      runMigrations(url, MIGRATIONS, { schema: SCHEMA }),
      runMigrations(url, MIGRATIONS, { schema: SCHEMA }),
    ]);

    expect([...a, ...b].sort()).toEqual([
      'AddRunId1700000000002',
      'CreateStreamCheckpoint1700000000001',
    ]);
  });
});

describe('createDataSource + connectWithRetry', () => {
  it('should map a snake_case table and round-trip a timestamptz when entities use the conventions', async () => {
    const url = uniqueDatabaseUrl();
    await runMigrations(url, MIGRATIONS, { schema: SCHEMA });
    const { logger } = quietLogger();
    const ds = await connectWithRetry(
      createDataSource({ url, schema: SCHEMA, entities: [StreamCheckpoint] }),
      { logger },
    );
    try {
      const at = new Date('2026-11-22T01:02:03.456Z');

      await ds
        .getRepository(StreamCheckpoint)
        .save({ streamId: 'jackyun.trade', checkpointAt: at, lastRunId: 'r1' });
      const row = await ds
        .getRepository(StreamCheckpoint)
        .findOneByOrFail({ streamId: 'jackyun.trade' });

      expect(row.checkpointAt.toISOString()).toBe(at.toISOString());
      expect(row.lastRunId).toBe('r1');
      expect(await pingDatabase(ds)).toBe(true);
    } finally {
      await ds.destroy();
    }
    expect(await pingDatabase(ds)).toBe(false);
  });

  it('should refuse an entity with a zoneless timestamp column when connecting', async () => {
    const url = uniqueDatabaseUrl();
    await ensureDatabase(url);
    const { logger } = quietLogger();

    await expect(
      connectWithRetry(
        createDataSource({
          url,
          schema: SCHEMA,
          entities: [ZonelessCheckpoint],
        }),
        { logger },
      ),
    ).rejects.toThrow(/timestamptz.*stream_checkpoint\.checkpoint_at/);
  });

  it('should retry with a logged reason and then fail loudly when Postgres is unreachable', async () => {
    const { logger, lines } = quietLogger();
    const ds = createDataSource({
      url: 'postgres://postgres@127.0.0.1:1/kingbridge',
    });

    await expect(
      connectWithRetry(ds, {
        logger,
        policy: {
          initialMs: 5,
          multiplier: 2,
          factor: 0,
          maxMs: 20,
          attempts: 3,
        },
      }),
    ).rejects.toBeInstanceOf(DatabaseUnavailableError);

    const logged = lines();
    expect(
      logged.filter((l) => l['msg'] === 'database unreachable, retrying'),
    ).toHaveLength(2);
    expect(logged.at(-1)).toMatchObject({ level: 'error', attempt: 3 });
    expect(String(logged[0]?.['reason'])).toMatch(/ECONNREFUSED/);
    expect(await pingDatabase(ds)).toBe(false);
  });
});

describe('waitForPostgres', () => {
  it('should resolve when the server answers even if the database is missing', async () => {
    await expect(
      waitForPostgres(withDatabase(BASE_URL, 'kb_does_not_exist'), {
        timeoutMs: 2_000,
      }),
    ).resolves.toBeUndefined();
  });

  it('should give up with the reason when nothing listens before the timeout', async () => {
    await expect(
      waitForPostgres('postgres://postgres@127.0.0.1:1/kingbridge', {
        timeoutMs: 300,
      }),
    ).rejects.toThrow(/unreachable: .*ECONNREFUSED/);
  });
});
