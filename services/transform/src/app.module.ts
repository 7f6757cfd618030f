import { allTopics } from '@kingbridge/source-registry';
import { KafkaModule, serviceModule } from '@kingbridge/kafka-nest';
import { METRICS_REGISTRY, type Logger } from '@kingbridge/observability';
import { DATA_SOURCE, PersistenceModule } from '@kingbridge/persistence';
import { Module, type DynamicModule } from '@nestjs/common';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { TransformService } from './consumer/transform.service';
import { loadFlows, type Flow } from './flows/load-flows';
import { k3cloudLookupRoutes } from './lookups/k3cloud-lookups';
import { PostgresLookupProvider } from './lookups/postgres-lookup.provider';
import {
  TRANSFORM_CONFIG,
  TRANSFORM_LOGGER,
  TRANSFORM_SERVICE,
  type TransformConfig,
} from './transform.config';
import { TRANSFORM_FLOWS } from './transform.tokens';

@Module({})
export class AppModule {
  static forRoot(config: TransformConfig, logger: Logger): DynamicModule {
    return serviceModule(AppModule, {
      service: TRANSFORM_SERVICE,
      config: { token: TRANSFORM_CONFIG, value: config },
      logger: { token: TRANSFORM_LOGGER, value: logger },
      imports: [
        PersistenceModule.forRoot({
          url: config.DATABASE_URL,
          schema: 'transform',
          applicationName: TRANSFORM_SERVICE,
          logger,
        }),
        KafkaModule.forRootAsync({
          inject: [METRICS_REGISTRY],
          useFactory: (registry: Registry) => ({
            brokers: config.KAFKA_BROKERS,
            clientId: config.KAFKA_CLIENT_ID ?? TRANSFORM_SERVICE,
            logger,
            service: TRANSFORM_SERVICE,
            topics: allTopics(),
            registry,
          }),
        }),
      ],
      providers: [
        {
          provide: PostgresLookupProvider,
          inject: [DATA_SOURCE],
          useFactory: async (dataSource: DataSource) =>
            new PostgresLookupProvider(
              dataSource,
              config.LOOKUP_CACHE_TTL_MS,
              Date.now,
              await k3cloudLookupRoutes(config),
            ),
        },
        {
          provide: TRANSFORM_FLOWS,
          inject: [PostgresLookupProvider],
          useFactory: (lookups: PostgresLookupProvider): Promise<Flow[]> =>
            loadFlows(config, lookups),
        },
        TransformService,
      ],
    });
  }
}
