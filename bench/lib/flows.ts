/*
 * Bench copies of the shipped plans: a unique flow id and lookup table names per run (so a run never meets
 * another's merge state or master data in Postgres), the demo world's master data as lookup tables, the
 * bench database migrated.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { parse } from 'yaml';
import { k3CloudLookupRows, lookupTables } from '@kingbridge/stack';
import { benchSaleOrderEntries, ROOT } from './records';

const run = promisify(execFile);

export const FLOW1_PLAN = 'jackyun-retail-orders-to-k3cloud-outstock.yaml';
export const FLOW2_PLAN = 'wdt-stockout-to-k3cloud-outstock.yaml';

export interface BenchFlow {
  readonly id: string;
  readonly plan: Record<string, unknown>;
}

function tsx(
  args: readonly string[],
  env: Record<string, string>,
): Promise<unknown> {
  return run(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', TZ: 'UTC', ...env },
    maxBuffer: 1 << 24,
  });
}

/** The shipped plan with `-<suffix>` on its id and `_<suffix>` on every lookup table it reads. */
export async function benchFlow(
  planFile: string,
  suffix: string,
  edit?: (plan: Record<string, unknown>) => void,
): Promise<BenchFlow> {
  const text = await readFile(join(ROOT, 'plans', planFile), 'utf8');
  const renamed = text.replace(
    /(_findCollection\s+find\s+\S+\s+from\s+)([a-z0-9_]+)/g,
    `$1$2_${suffix}`,
  );
  const plan = parse(renamed) as Record<string, unknown>;
  const id = `${String(plan['id'])}-${suffix}`;
  plan['id'] = id;
  // Tables the plan reads from K3Cloud (`lookups:`) become loaded tables of the same rows (loadLookups): the
  // bench measures the pipeline, not a K3Cloud query per cache miss.
  delete plan['lookups'];
  edit?.(plan);
  return { id, plan };
}

export async function writePlans(flows: readonly BenchFlow[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kb-bench-plans-'));
  for (const f of flows)
    await writeFile(join(dir, `${f.id}.json`), JSON.stringify(f.plan));
  return dir;
}

/** Creates the database when missing and applies every migration (scripts/migrate.ts). */
export async function prepareDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query(
      'SELECT 1 FROM pg_database WHERE datname = $1',
      [name],
    );
    if (found.rowCount === 0)
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
  } finally {
    await client.end();
  }
  await tsx(['scripts/migrate.ts'], { DATABASE_URL: url });
}

/** Loads the demo master data (and the K3Cloud rows of the plans' `lookups:`) as `<table>_<suffix>` with the real CLI. */
export async function loadLookups(url: string, suffix: string): Promise<void> {
  const all = {
    ...lookupTables(),
    ...k3CloudLookupRows(),
    k3_sale_order_entries: benchSaleOrderEntries(),
  };
  const tables = Object.fromEntries(
    Object.entries(all).map(([name, rows]) => [`${name}_${suffix}`, rows]),
  );
  const dir = await mkdtemp(join(tmpdir(), 'kb-bench-lookups-'));
  const file = join(dir, 'tables.json');
  await writeFile(file, JSON.stringify(tables));
  await tsx(['scripts/lookups.ts', 'load', file], { DATABASE_URL: url });
}

/** Removes what a run left in Postgres: its lookup tables and the merge state of its flows (`*-<suffix>`). */
export async function cleanupDatabase(
  url: string,
  suffix: string,
): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      'DELETE FROM transform.lookup_row WHERE table_name LIKE $1',
      [`%_${suffix}`],
    );
    for (const table of ['merge_record', 'merge_window', 'merge_watermark'])
      await client.query(`DELETE FROM transform.${table} WHERE flow LIKE $1`, [
        `%-${suffix}`,
      ]);
  } finally {
    await client.end();
  }
}
