import { serviceModule } from '@kingbridge/kafka-nest';
import type { Logger } from '@kingbridge/observability';
import type { SourceStream } from '@kingbridge/source-runtime';
import { type DynamicModule, Module } from '@nestjs/common';
import {
  SOURCE_LOGGER,
  SOURCE_STREAMS,
  SourceConnectorService,
} from './runtime/source-connector.service';
import {
  SOURCE_CONNECTOR_CONFIG,
  type SourceConnectorConfig,
} from './source-connector.config';

@Module({})
export class AppModule {
  static forRoot(
    config: SourceConnectorConfig,
    logger: Logger,
    streams: readonly SourceStream[],
  ): DynamicModule {
    return serviceModule(AppModule, {
      service: `source-connector-${config.CONNECTOR_ID}`,
      config: { token: SOURCE_CONNECTOR_CONFIG, value: config },
      logger: { token: SOURCE_LOGGER, value: logger },
      providers: [
        { provide: SOURCE_STREAMS, useValue: streams },
        SourceConnectorService,
      ],
    });
  }
}
