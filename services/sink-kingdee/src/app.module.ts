import { serviceAppModule } from '@kingbridge/kafka-nest';
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

/** The Kingdee sink and its admin endpoints (with their own database and producer connections). */
export const AppModule = serviceAppModule<SinkKingdeeConfig>({
  service: SINK_SERVICE,
  configToken: SINK_KINGDEE_CONFIG,
  loggerToken: SINK_LOGGER,
  adminToken: (config) => config.ADMIN_TOKEN,
  parts: (config, logger) => ({
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
  }),
});
