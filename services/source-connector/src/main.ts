import 'reflect-metadata';
import { loadConfigOrExit } from '@kingbridge/config';
import { createLogger, NestLoggerAdapter } from '@kingbridge/observability';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import {
  DEFAULT_HTTP_PORTS,
  sourceConnectorConfigSchema,
} from './source-connector.config';
import { loadStreams } from './streams/load-streams';

/**
 * One process per platform: `CONNECTOR_ID=jackyun|wdt|jushuitan|xiaoman`.
 * It runs every stream of that platform the sync plans ask for.
 */
async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit(sourceConnectorConfigSchema);
  const logger = createLogger(
    `source-connector-${config.CONNECTOR_ID}`,
    config.LOG_LEVEL,
  );
  let streams;
  try {
    streams = await loadStreams(config);
  } catch (err) {
    logger.fatal(
      { err: (err as Error).message },
      'invalid stream configuration',
    );
    process.exit(1);
  }
  if (streams.length === 0)
    logger.warn(
      { connector: config.CONNECTOR_ID, plansDir: config.PLANS_DIR },
      'no stream configured for this connector',
    );
  const app = await NestFactory.create(
    AppModule.forRoot(config, logger, streams),
    {
      logger: new NestLoggerAdapter(logger),
    },
  );
  app.enableShutdownHooks();
  const port = config.HTTP_PORT ?? DEFAULT_HTTP_PORTS[config.CONNECTOR_ID];
  await app.listen(port, config.HTTP_HOST);
  const address = app.getHttpServer().address() as { port: number } | null;
  logger.info(
    { connector: config.CONNECTOR_ID, port: address?.port ?? port },
    'http listening',
  );
}

void bootstrap();
