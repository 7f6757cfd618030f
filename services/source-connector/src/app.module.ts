import type { Logger } from '@kingbridge/observability';
import { ObservabilityModule } from '@kingbridge/observability';
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
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({
          service: `source-connector-${config.CONNECTOR_ID}`,
        }),
      ],
      providers: [
        { provide: SOURCE_CONNECTOR_CONFIG, useValue: config },
        { provide: SOURCE_LOGGER, useValue: logger },
        { provide: SOURCE_STREAMS, useValue: streams },
        SourceConnectorService,
      ],
    };
  }
}
