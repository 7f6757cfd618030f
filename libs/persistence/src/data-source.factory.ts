import type { Logger } from '@kingbridge/observability';
import {
  DataSource,
  type EntitySchema,
  type MigrationInterface,
} from 'typeorm';
import { assertSchemaName } from './database-url.util';
import { SnakeNamingStrategy } from './snake-naming.strategy';
import { TypeOrmPinoLogger } from './typeorm-logger.adapter';

/** A TypeORM migration class (raw SQL `up`/`down`). */
export type MigrationClass = new () => MigrationInterface;

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type EntityTarget = Function | EntitySchema<unknown>;

export interface DataSourceOptions {
  /** postgres://user[:password]@host:port/database */
  readonly url: string;
  readonly migrations?: readonly MigrationClass[];
  readonly entities?: readonly EntityTarget[];
  /**
   * The owning service's schema (`source_connector`, `transform`,
   * `sink_kingdee`). Entities without an explicit schema and the
   * `migrations` history table live there, and it leads the search_path.
   */
  readonly schema?: string;
  /** Shown in pg_stat_activity; use the service name. */
  readonly applicationName?: string;
  readonly poolSize?: number;
  readonly logger?: Logger;
  /** Queries slower than this are logged as warnings (default 2000 ms). */
  readonly slowQueryMs?: number;
}

/**
 * A TypeORM DataSource on PostgreSQL with the project's fixed policy:
 * never `synchronize`, never run migrations implicitly (the migrate step
 * does), snake_case names, sessions in UTC. Not initialised: call
 * `connectWithRetry` (services) or `initialize()` (tools).
 */
export function createDataSource(options: DataSourceOptions): DataSource {
  const schema =
    options.schema === undefined ? undefined : assertSchemaName(options.schema);
  const sessionOptions = [
    '-c TimeZone=UTC',
    ...(schema ? [`-c search_path=${schema},public`] : []),
  ].join(' ');
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema,
    entities: [...(options.entities ?? [])],
    migrations: [...(options.migrations ?? [])],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    dropSchema: false,
    namingStrategy: new SnakeNamingStrategy(),
    applicationName: options.applicationName ?? 'kingbridge',
    connectTimeoutMS: 5_000,
    poolSize: options.poolSize ?? 10,
    maxQueryExecutionTime: options.slowQueryMs ?? 2_000,
    extra: { options: sessionOptions },
    ...(options.logger
      ? { logger: new TypeOrmPinoLogger(options.logger), logging: true }
      : { logging: false }),
  });
}
