import { ReadinessRegistry, type Logger } from '@kingbridge/observability';
import type { BackoffPolicy } from '@kingbridge/pipeline-core';
import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { DataSource } from 'typeorm';
import {
  createDataSource,
  type DataSourceOptions,
} from './data-source.factory';
import { DatabaseConnection } from './database-connection.service';

/** Injection token of the service's TypeORM DataSource. */
export const DATA_SOURCE = Symbol('kingbridge.data-source');

export interface PersistenceModuleOptions extends DataSourceOptions {
  readonly logger: Logger;
  /** Name of the readiness check (default `postgres`). */
  readonly readinessName?: string;
  /** Connect retry policy (default: unbounded, up to 15 s apart). */
  readonly policy?: BackoffPolicy;
}

@Injectable()
class PersistenceLifecycle
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  constructor(
    @Inject(DatabaseConnection) private readonly connection: DatabaseConnection,
  ) {}

  onApplicationBootstrap(): void {
    this.connection.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.connection.close();
  }
}

/**
 * The service's DataSource for Nest: `@Inject(DATA_SOURCE)` and
 * `@Inject(DatabaseConnection)` (await `connection.ready()` before using the
 * DataSource). Connects in the background after boot with retry and backoff,
 * and registers a `postgres` readiness check when ObservabilityModule is
 * present. Never runs migrations: that is `npm run db:migrate`.
 */
@Module({})
export class PersistenceModule {
  static forRoot(options: PersistenceModuleOptions): DynamicModule {
    return {
      module: PersistenceModule,
      global: true,
      providers: [
        {
          provide: DATA_SOURCE,
          useFactory: (): DataSource => createDataSource(options),
        },
        {
          provide: DatabaseConnection,
          inject: [DATA_SOURCE, { token: ReadinessRegistry, optional: true }],
          useFactory: (
            dataSource: DataSource,
            readiness: ReadinessRegistry | undefined,
          ): DatabaseConnection => {
            const connection = new DatabaseConnection(
              dataSource,
              options.logger,
              options.policy,
            );
            readiness?.register({
              name: options.readinessName ?? 'postgres',
              check: () => connection.health(),
            });
            return connection;
          },
        },
        PersistenceLifecycle,
      ],
      exports: [DATA_SOURCE, DatabaseConnection],
    };
  }
}
