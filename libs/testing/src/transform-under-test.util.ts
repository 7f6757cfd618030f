import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { parse } from 'yaml';
import { TEST_KAFKA_BROKERS } from './kafka-test.util';
import { TEST_DATABASE_URL } from './test-database.util';

/*
 * The transform as integration tests run it (its own tests and the pipeline tests of the services around it): a
 * copy of a shipped plan under unique names, its lookup tables, its environment (start it with
 * `new ServiceProcess('transform', transformEnv(...))`) and the cleanup of what a flow left in the database.
 */

const ROOT = resolve(__dirname, '../../..');

/** What a test copy of a plan renames (the rest is carried as read). */
export type TestPlan = Record<string, unknown> & {
  readonly id: string;
  readonly source: Record<string, unknown> & { readonly stream: string };
};

/** A copy of a shipped plan; `P` is the plan type the test reads it as. */
export interface TestFlow<P extends TestPlan = TestPlan> {
  readonly id: string;
  readonly stream: string;
  readonly plan: P;
  /** Lookup table name in this test: `<table>_<suffix>`. */
  table(name: string): string;
}

/**
 * Copies a shipped plan with a unique flow id, stream id and lookup table
 * names, so a test shares the fixed raw/outbound topics and the lookup table
 * without seeing anyone else's records.
 */
export async function testFlow<P extends TestPlan = TestPlan>(
  planFile: string,
  suffix: string,
): Promise<TestFlow<P>> {
  const text = await readFile(join(ROOT, 'plans', planFile), 'utf8');
  const renamed = text.replace(
    /(_findCollection\s+find\s+\S+\s+from\s+)([a-z0-9_]+)/g,
    `$1$2_${suffix}`,
  );
  const plan = parse(renamed) as P;
  const id = `${plan.id}-${suffix}`;
  const stream = `${plan.source.stream}.${suffix}`;
  return {
    id,
    stream,
    plan: { ...plan, id, source: { ...plan.source, stream } },
    table: (name) => `${name}_${suffix}`,
  };
}

export async function writePlansDir(
  flows: readonly TestFlow<TestPlan>[],
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kb-transform-plans-'));
  for (const f of flows)
    await writeFile(join(dir, `${f.id}.json`), JSON.stringify(f.plan, null, 2));
  return dir;
}

/** Loads lookup tables with the real CLI (`tsx scripts/lookups.ts load <file>`), as the main job does. */
export async function seedLookups(
  tables: Record<string, readonly Record<string, unknown>[]>,
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kb-lookups-'));
  const file = join(dir, 'tables.json');
  await writeFile(file, JSON.stringify(tables));
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      join(ROOT, 'node_modules/tsx/dist/cli.mjs'),
      'scripts/lookups.ts',
      'load',
      file,
    ],
    {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '', DATABASE_URL: TEST_DATABASE_URL },
    },
  );
  return stdout;
}

/** Removes what a test flow left in the test database (lookup tables `<name>_<suffix>`, merge state). */
export async function cleanupFlow(flow: TestFlow<TestPlan>): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(
      'DELETE FROM transform.lookup_row WHERE table_name LIKE $1',
      [`%${flow.table('')}`],
    );
    for (const table of [
      'merge_record',
      'merge_window',
      'merge_watermark',
      'merge_outbox',
    ]) {
      await client.query(`DELETE FROM transform.${table} WHERE flow = $1`, [
        flow.id,
      ]);
    }
  } finally {
    await client.end();
  }
}

/** Environment of a transform under test. */
export function transformEnv(
  plansDir: string,
  groupId: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    DATABASE_URL: TEST_DATABASE_URL,
    KAFKA_BROKERS: TEST_KAFKA_BROKERS.join(','),
    HTTP_PORT: '0',
    PLANS_DIR: plansDir,
    TRANSFORM_GROUP_ID: groupId,
    LOG_LEVEL: 'info', // ServiceProcess reads the port from the 'http listening' line
    WINDOW_TICK_MS: '300',
    // A killed member holds its partitions until the session times out: keep that short in tests.
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    // Concurrent partitions in one process: merges of a flow must still serialise correctly.
    TRANSFORM_PARTITIONS_CONCURRENCY: '3',
    LOOKUP_CACHE_TTL_MS: '60000',
    ...extra,
  };
}
