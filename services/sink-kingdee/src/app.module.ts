import { serviceModule } from '@kingbridge/kafka-nest';
import type { Logger } from '@kingbridge/observability';
import { Module, type DynamicModule } from '@nestjs/common';
import {
  SINK_KINGDEE_CONFIG,
  SINK_SERVICE,
  type SinkKingdeeConfig,
} from './sink-kingdee.config';
import { SINK_LOGGER } from './sink-kingdee.tokens';
import { SinkAdminController } from './admin/sink-admin.controller';
import { SinkAdminService } from './admin/sink-admin.service';
import { SinkAdminShutdown } from './admin/sink-admin.shutdown';
import { SinkService } from './sink/sink.service';

@Module({})
export class AppModule {
  static forRoot(config: SinkKingdeeConfig, logger: Logger): DynamicModule {
    return serviceModule(AppModule, {
      service: SINK_SERVICE,
      adminToken: config.ADMIN_TOKEN,
      config: { token: SINK_KINGDEE_CONFIG, value: config },
      logger: { token: SINK_LOGGER, value: logger },
      controllers: [SinkAdminController],
      providers: [
        SinkService,
        {
          provide: SinkAdminService,
          useFactory: (): SinkAdminService =>
            new SinkAdminService({
              databaseUrl: config.DATABASE_URL,
              kafkaBrokers: config.KAFKA_BROKERS,
              logger,
              applicationName: `${SINK_SERVICE}-admin`,
            }),
        },
        SinkAdminShutdown,
      ],
    });
  }
}
