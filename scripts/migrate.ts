import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import {
  DEFAULT_DATABASE_URL,
  loadConfigOrExit,
  parseCliArgs,
  runCliCommand,
  runIfStartedAs,
} from '@kingbridge/config';
import { createLogger, type Logger } from '@kingbridge/observability';
import {
  pendingMigrations,
  redactDatabaseUrl,
  runMigrations,
  waitForPostgres,
  type MigrationClass,
} from '@kingbridge/persistence';

/*
 * The migrate step (`npm run db:migrate`): applies every schema-owning
 * service's migrations to DATABASE_URL. Called by the main job, by the
 * integration tests' global setup and by deployments; `--check` is the CI
 * pending-migration check (exit 1 when anything is not applied).
 */

/** Schema-owning services, in the order their migrations run. */
export const MIGRATION_SOURCES = [
  { service: 'source-connector', schema: 'source_connector' },
  { service: 'transform', schema: 'transform' },
  { service: 'sink-kingdee', schema: 'sink_kingdee' },
] as const;

/**
 * The folder holding services/: the repo under tsx, dist/ in the image. Searched upward from this file, which may
 * be bundled into another entry (dist/tools/src/kingbridge.js as well as dist/scripts/migrate.js).
 */
function servicesRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'services'))) return dir;
    if (dirname(dir) === dir) return resolve(from, '..');
  }
}

const ROOT = servicesRoot(__dirname);

const migrationModuleSchema = z.object({
  MIGRATIONS: z
    .array(z.custom<MigrationClass>((v) => typeof v === 'function'))
    .min(1),
  SCHEMA: z.string().optional(),
});

export interface ServiceMigrations {
  readonly service: string;
  readonly schema: string;
  readonly migrations: readonly MigrationClass[];
}

export interface MigrationReport {
  readonly service: string;
  readonly schema: string;
  readonly names: readonly string[];
}

/** Loads `services/<svc>/src/database/migrations/index.ts` of every service that has one. */
export async function loadServiceMigrations(): Promise<ServiceMigrations[]> {
  const found: ServiceMigrations[] = [];
  for (const { service, schema } of MIGRATION_SOURCES) {
    // index.ts under tsx, index.js in the image's compiled dist/ (deploy/docker/build.ts).
    const file = ['index.ts', 'index.js']
      .map((f) =>
        resolve(ROOT, 'services', service, 'src/database/migrations', f),
      )
      .find((f) => existsSync(f));
    if (file === undefined) continue;
    const parsed = migrationModuleSchema.safeParse(
      await import(pathToFileURL(file).href),
    );
    if (!parsed.success) {
      throw new Error(
        `${service}: ${file} must export a non-empty MIGRATIONS array of migration classes`,
      );
    }
    if (parsed.data.SCHEMA !== undefined && parsed.data.SCHEMA !== schema) {
      throw new Error(
        `${service}: SCHEMA is "${parsed.data.SCHEMA}", expected "${schema}"`,
      );
    }
    found.push({ service, schema, migrations: parsed.data.MIGRATIONS });
  }
  return found;
}

/** `<unix-ms>-<kebab-name>.ts` (ADR 0006); its class is `<PascalName><unix-ms>`. */
const MIGRATION_FILE = /^(\d{13})-[a-z0-9-]+\.ts$/;

/**
 * Migration files in `dir` that no class in `migrations` stands for (matched on the timestamp that ends the
 * class name): a migration that was written but not registered in MIGRATIONS never runs.
 */
export function unregisteredMigrationFiles(
  dir: string,
  migrations: readonly MigrationClass[],
): string[] {
  if (!existsSync(dir)) return [];
  const stamps = new Set(
    migrations.map((m) => /(\d{13})$/.exec(m.name)?.[1]).filter(Boolean),
  );
  return readdirSync(dir)
    .filter((f) => {
      const m = MIGRATION_FILE.exec(f);
      return m !== null && !stamps.has(m[1]);
    })
    .sort();
}

/** Every service's unregistered migration files (sources only: the image has compiled files). */
export async function unregisteredMigrations(): Promise<MigrationReport[]> {
  return (await loadServiceMigrations()).map(
    ({ service, schema, migrations }) => ({
      service,
      schema,
      names: unregisteredMigrationFiles(
        resolve(ROOT, 'services', service, 'src/database/migrations'),
        migrations,
      ),
    }),
  );
}

/**
 * Creates the database if missing and applies every pending migration of
 * every service, each service in its own schema. Returns what ran.
 */
export async function migrateAll(
  databaseUrl: string,
  logger?: Logger,
): Promise<MigrationReport[]> {
  const reports: MigrationReport[] = [];
  for (const { service, schema, migrations } of await loadServiceMigrations()) {
    const names = await runMigrations(databaseUrl, migrations, {
      schema,
      logger,
    });
    reports.push({ service, schema, names });
  }
  return reports;
}

/** Migrations not yet applied, per service (empty lists when up to date). */
export async function checkPending(
  databaseUrl: string,
): Promise<MigrationReport[]> {
  const reports: MigrationReport[] = [];
  for (const { service, schema, migrations } of await loadServiceMigrations()) {
    const names = await pendingMigrations(databaseUrl, migrations, { schema });
    reports.push({ service, schema, names });
  }
  return reports;
}

/** Environment of the migrate step (also checked against the compose and Kubernetes manifests). */
export const migrateConfigSchema = z.object({
  DATABASE_URL: z.string().url().default(DEFAULT_DATABASE_URL),
  LOG_LEVEL: z.string().default('warn'),
  MIGRATE_WAIT_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .default(30)
    .describe('how long to wait for Postgres to accept connections'),
});

export const MIGRATE_USAGE =
  'usage: tsx scripts/migrate.ts [--check]\n  applies every pending migration of every service to DATABASE_URL (creating the database);\n  --check applies nothing and exits 1 when a migration is pending';

/** Migrates (or with --check only reports); returns the exit code (1: pending with --check, 2: usage). */
export function run(argv: readonly string[]): Promise<number> {
  return runCliCommand(
    argv,
    { name: 'migrate', usage: MIGRATE_USAGE },
    migrate,
  );
}

async function migrate(argv: readonly string[]): Promise<number> {
  const check =
    parseCliArgs(argv, {
      options: { check: { type: 'boolean', default: false } },
    }).values.check === true;
  const config = loadConfigOrExit(migrateConfigSchema);
  const target = redactDatabaseUrl(config.DATABASE_URL);
  const logger = createLogger('migrate', config.LOG_LEVEL);
  await waitForPostgres(config.DATABASE_URL, {
    logger,
    timeoutMs: config.MIGRATE_WAIT_SECONDS * 1000,
  });
  if (check) {
    const unregistered = (await unregisteredMigrations()).filter(
      (r) => r.names.length > 0,
    );
    for (const r of unregistered) {
      console.log(
        `not in ${r.service}'s MIGRATIONS (never runs): ${r.names.join(', ')}`,
      );
    }
    const reports = await checkPending(config.DATABASE_URL);
    const pending = reports.filter((r) => r.names.length > 0);
    for (const r of pending) {
      console.log(
        `pending in ${r.schema} (${r.service}): ${r.names.join(', ')}`,
      );
    }
    if (unregistered.length > 0) {
      console.log(
        `${target}: register every migration file in its service's database/migrations/index.ts`,
      );
      return 1;
    }
    if (pending.length > 0) {
      console.log(`${target}: migrations pending — run npm run db:migrate`);
      return 1;
    }
    console.log(
      `${target}: all migrations applied (${reports.map((r) => r.schema).join(', ') || 'no services with migrations'})`,
    );
    return 0;
  }
  const reports = await migrateAll(config.DATABASE_URL, logger);
  for (const r of reports) {
    console.log(
      r.names.length > 0
        ? `${r.schema}: applied ${r.names.join(', ')}`
        : `${r.schema}: up to date`,
    );
  }
  if (reports.length === 0) console.log('no services with migrations found');
  console.log(`${target}: migrated`);
  return 0;
}

runIfStartedAs('scripts/migrate', 'migrate', run);
