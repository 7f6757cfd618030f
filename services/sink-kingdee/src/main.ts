import 'reflect-metadata';
import { loadConfigOrExit } from '@kingbridge/config';
import { createLogger, NestLoggerAdapter } from '@kingbridge/observability';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { SINK_SERVICE, sinkKingdeeConfigSchema } from './sink-kingdee.config';

/** Kingdee sink: erp.kingdee.<target>.outbound.v1 -> K3Cloud / JDY / K3 WISE, status events, dead letters. */
async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit(sinkKingdeeConfigSchema);
  const logger = createLogger(SINK_SERVICE, config.LOG_LEVEL);
  const app = await NestFactory.create(AppModule.forRoot(config, logger), {
    logger: new NestLoggerAdapter(logger),
  });
  app.enableShutdownHooks();
  await app.listen(config.HTTP_PORT, config.HTTP_HOST);
  const address = app.getHttpServer().address() as { port: number } | null;
  logger.info(
    { port: address?.port ?? config.HTTP_PORT, targets: config.SINK_TARGETS },
    'http listening',
  );
}

void bootstrap();
