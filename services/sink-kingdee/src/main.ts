import 'reflect-metadata';
import { loadConfigOrExit } from '@kingbridge/config';
import { runNestService } from '@kingbridge/kafka-nest';
import { AppModule } from './app.module';
import { SINK_SERVICE, sinkKingdeeConfigSchema } from './sink-kingdee.config';

/** Kingdee sink: erp.kingdee.<target>.outbound.v1 -> K3Cloud / JDY / K3 WISE, status events, dead letters. */
runNestService({
  name: SINK_SERVICE,
  config: () => loadConfigOrExit(sinkKingdeeConfigSchema),
  module: (config, logger) => AppModule.forRoot(config, logger),
  fields: (config) => ({ targets: config.SINK_TARGETS }),
});
