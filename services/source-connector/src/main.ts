import 'reflect-metadata';
import { loadConfigOrExit } from '@kingbridge/config';
import { runNestService } from '@kingbridge/kafka-nest';
import { AppModule } from './app.module';
import {
  connectorSpecOf,
  sourceConnectorConfigSchema,
} from './source-connector.config';
import { loadStreams } from './streams/load-streams';

/**
 * One process per platform: `CONNECTOR_ID` names one of `SOURCE_CONNECTORS` (jackyun, wdt, jushuitan, xiaoman).
 * It runs every stream of that platform the sync plans ask for.
 */
runNestService({
  name: (config) => `source-connector-${config.CONNECTOR_ID}`,
  config: () => loadConfigOrExit(sourceConnectorConfigSchema),
  async module(config, logger) {
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
    return AppModule.forRoot(config, logger, streams);
  },
  port: (config) =>
    config.HTTP_PORT ?? connectorSpecOf(config.CONNECTOR_ID).httpPort,
  fields: (config) => ({ connector: config.CONNECTOR_ID }),
});
