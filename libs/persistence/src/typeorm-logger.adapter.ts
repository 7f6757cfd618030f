import type { Logger as PinoLogger } from '@kingbridge/observability';
import type { Logger as TypeOrmLogger } from 'typeorm';

/**
 * Routes TypeORM's own logging into the service's pino logger. Query
 * parameters are never logged (they carry business data); successful queries
 * are not logged at all, so normal operation stays quiet.
 */
export class TypeOrmPinoLogger implements TypeOrmLogger {
  constructor(private readonly logger: PinoLogger) {}

  logQuery(): void {
    // Intentionally silent: one line per query would drown the log.
  }

  logQueryError(error: string | Error, query: string): void {
    const reason = error instanceof Error ? error.message : error;
    this.logger.warn({ query: truncate(query), reason }, 'query failed');
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn(
      { query: truncate(query), durationMs: time },
      'slow query',
    );
  }

  logSchemaBuild(message: string): void {
    this.logger.debug({ component: 'typeorm' }, message);
  }

  logMigration(message: string): void {
    this.logger.info({ component: 'typeorm' }, message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    const text = typeof message === 'string' ? message : String(message);
    if (level === 'warn') this.logger.warn({ component: 'typeorm' }, text);
    else this.logger.debug({ component: 'typeorm' }, text);
  }
}

function truncate(query: string): string {
  return query.length > 500 ? `${query.slice(0, 500)}…` : query;
}
