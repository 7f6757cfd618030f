import 'reflect-metadata';
import { loadConfigOrExit } from '@kingbridge/config';
import { createLogger, NestLoggerAdapter } from '@kingbridge/observability';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import {
  STATUS_EXPORTER_SERVICE,
  statusExporterConfigSchema,
} from './status-exporter.config';

/** Status exporter: erp.kingdee.write-status.v1 -> Prometheus metrics on /metrics. */
async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit(statusExporterConfigSchema);
  const logger = createLogger(STATUS_EXPORTER_SERVICE, config.LOG_LEVEL);
  const app = await NestFactory.create(AppModule.forRoot(config, logger), {
    logger: new NestLoggerAdapter(logger),
  });
  app.enableShutdownHooks();
  await app.listen(config.HTTP_PORT, config.HTTP_HOST);
  const address = app.getHttpServer().address() as { port: number } | null;
  logger.info(
    { port: address?.port ?? config.HTTP_PORT, topic: config.STATUS_TOPIC },
    'http listening',
  );
}

void bootstrap();
