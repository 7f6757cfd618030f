import { serviceModule } from '@kingbridge/kafka-nest';
import { METRICS_REGISTRY, type Logger } from '@kingbridge/observability';
import { Module, type DynamicModule } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { StatusConsumerService } from './status-consumer/status-consumer.service';
import {
  STATUS_EXPORTER_CONFIG,
  STATUS_EXPORTER_SERVICE,
  type StatusExporterConfig,
} from './status-exporter.config';
import { STATUS_EXPORTER_LOGGER } from './status-exporter.tokens';
import { StatusMetrics } from './status-metrics/status-metrics.service';

@Module({})
export class AppModule {
  static forRoot(config: StatusExporterConfig, logger: Logger): DynamicModule {
    return serviceModule(AppModule, {
      service: STATUS_EXPORTER_SERVICE,
      config: { token: STATUS_EXPORTER_CONFIG, value: config },
      logger: { token: STATUS_EXPORTER_LOGGER, value: logger },
      providers: [
        {
          provide: StatusMetrics,
          inject: [METRICS_REGISTRY],
          useFactory: (registry: Registry): StatusMetrics =>
            new StatusMetrics({
              registry,
              maxFlows: config.STATUS_MAX_FLOWS,
              maxForms: config.STATUS_MAX_FORMS,
              onLabelOverflow: (label, value) =>
                logger.warn(
                  { label, value: value.slice(0, 80) },
                  'label value not admitted (malformed or over the limit): counted as "other"',
                ),
            }),
        },
        StatusConsumerService,
      ],
    });
  }
}
