/**
 * Lookup tables of the transform (master data for `_findCollection`), in
 * `transform.lookup_row`:
 *   tsx scripts/lookups.ts load <tables.json>     replace each table named in {table: [rows]}
 *   tsx scripts/lookups.ts list [table]           row count per table, or the rows of one table
 * Uses DATABASE_URL (migrations must have run: npm run db:migrate). The
 * transform re-reads a table after LOOKUP_CACHE_TTL_MS.
 */
import {
  DEFAULT_DATABASE_URL,
  InputFileError,
  UsageError,
  loadConfigOrExit,
  parseCliArgs,
  readJsonFile,
  runCliCommand,
  runIfStartedAs,
} from '@kingbridge/config';
import { formatZodIssues } from '@kingbridge/contracts';
import { createDataSource } from '@kingbridge/persistence';
import type { DataSource } from 'typeorm';
import { z } from 'zod';

/** `{ table: [rows] }`; table names are snake_case identifiers, rows are flat JSON objects. */
export const lookupTablesSchema = z.record(
  z.string().regex(/^[a-z][a-z0-9_]*$/, 'table names are lower snake_case'),
  z.array(z.record(z.string(), z.unknown())),
);
export type LookupTables = z.infer<typeof lookupTablesSchema>;

/** Reads a `{ table: [rows] }` file; a bad one is an InputFileError naming the file (and the line of bad JSON). */
export async function readLookupTablesFile(
  file: string,
): Promise<LookupTables> {
  const parsed = lookupTablesSchema.safeParse(await readJsonFile(file));
  if (!parsed.success)
    throw new InputFileError(`${file}: ${formatZodIssues(parsed.error)}`);
  return parsed.data;
}

export interface LoadLookupsResult {
  readonly table: string;
  readonly rows: number;
}

async function withDataSource<T>(
  target: DataSource | string,
  work: (ds: DataSource) => Promise<T>,
): Promise<T> {
  if (typeof target !== 'string') return work(target);
  const ds = createDataSource({
    url: target,
    applicationName: 'kingbridge-lookups',
  });
  await ds.initialize();
  try {
    return await work(ds);
  } finally {
    await ds.destroy();
  }
}

/**
 * Replaces every table named in `tables` (all in one transaction: readers see
 * the old or the new rows, never a mix). Tables not named are left alone.
 */
export async function loadLookups(
  target: DataSource | string,
  tables: LookupTables,
): Promise<LoadLookupsResult[]> {
  const parsed = lookupTablesSchema.safeParse(tables);
  if (!parsed.success)
    throw new Error(`invalid lookup tables: ${formatZodIssues(parsed.error)}`);
  return withDataSource(target, (ds) =>
    ds.transaction(async (em) => {
      const results: LoadLookupsResult[] = [];
      for (const [table, rows] of Object.entries(parsed.data)) {
        await em.query(
          'DELETE FROM transform.lookup_row WHERE table_name = $1',
          [table],
        );
        if (rows.length > 0) {
          await em.query(
            'INSERT INTO transform.lookup_row (table_name, row) SELECT $1, r FROM unnest($2::jsonb[]) AS t(r)',
            [table, rows.map((r) => JSON.stringify(r))],
          );
        }
        results.push({ table, rows: rows.length });
      }
      return results;
    }),
  );
}

/** Row count per table. */
export async function listLookupTables(
  target: DataSource | string,
): Promise<LoadLookupsResult[]> {
  return withDataSource(target, async (ds) => {
    const rows = (await ds.query(
      'SELECT table_name, count(*)::int AS rows FROM transform.lookup_row GROUP BY table_name ORDER BY table_name',
    )) as Array<{ table_name: string; rows: number }>;
    return rows.map((r) => ({ table: r.table_name, rows: r.rows }));
  });
}

/** The rows of one table, in load order. */
export async function readLookupTable(
  target: DataSource | string,
  table: string,
): Promise<Record<string, unknown>[]> {
  return withDataSource(target, async (ds) => {
    const rows = (await ds.query(
      'SELECT row FROM transform.lookup_row WHERE table_name = $1 ORDER BY id',
      [table],
    )) as Array<{
      row: Record<string, unknown>;
    }>;
    return rows.map((r) => r.row);
  });
}

export const LOOKUPS_USAGE =
  'usage:\n  tsx scripts/lookups.ts load <tables.json>\n  tsx scripts/lookups.ts list [table]';

/** `lookups load <file>` | `lookups list [table]`; returns the exit code (1: a bad tables file, 2: usage). */
export function run(argv: readonly string[]): Promise<number> {
  return runCliCommand(
    argv,
    { name: 'lookups', usage: LOOKUPS_USAGE },
    lookups,
  );
}

async function lookups(argv: readonly string[]): Promise<number> {
  const { positionals } = parseCliArgs(argv, { allowPositionals: true });
  const [command, arg, extra] = positionals;
  if (command !== 'load' && command !== 'list')
    throw new UsageError(
      command === undefined
        ? 'give a command: load or list'
        : `unknown command ${command}`,
    );
  if (command === 'load' && arg === undefined)
    throw new UsageError('load needs <tables.json>');
  if (extra !== undefined) throw new UsageError(`unexpected argument ${extra}`);
  const config = loadConfigOrExit(
    z.object({ DATABASE_URL: z.string().url().default(DEFAULT_DATABASE_URL) }),
  );
  if (command === 'load' && arg !== undefined) {
    const tables = await readLookupTablesFile(arg);
    for (const r of await loadLookups(config.DATABASE_URL, tables))
      console.log(`lookup ${r.table}: ${r.rows} rows`);
    return 0;
  }
  if (arg !== undefined) {
    for (const row of await readLookupTable(config.DATABASE_URL, arg))
      console.log(JSON.stringify(row));
    return 0;
  }
  const tables = await listLookupTables(config.DATABASE_URL);
  if (tables.length === 0) console.log('no lookup tables loaded');
  for (const t of tables) console.log(`${t.table}\t${t.rows}`);
  return 0;
}

runIfStartedAs('scripts/lookups', 'lookups', run);
