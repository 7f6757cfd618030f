import 'reflect-metadata';
import { loadConfigOrExit } from '@kingbridge/config';
import { runNestService } from '@kingbridge/kafka-nest';
import { AppModule } from './app.module';
import {
  STATUS_EXPORTER_SERVICE,
  statusExporterConfigSchema,
} from './status-exporter.config';

/** Status exporter: erp.kingdee.write-status.v1 -> Prometheus metrics on /metrics. */
runNestService({
  name: STATUS_EXPORTER_SERVICE,
  config: () => loadConfigOrExit(statusExporterConfigSchema),
  module: (config, logger) => AppModule.forRoot(config, logger),
  fields: (config) => ({ topic: config.STATUS_TOPIC }),
});
