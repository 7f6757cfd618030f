import { serviceAppModule } from '@kingbridge/kafka-nest';
import { METRICS_REGISTRY } from '@kingbridge/observability';
import type { Registry } from 'prom-client';
import { StatusConsumerService } from './status-consumer/status-consumer.service';
import {
  STATUS_EXPORTER_CONFIG,
  STATUS_EXPORTER_SERVICE,
  type StatusExporterConfig,
} from './status-exporter.config';
import { STATUS_EXPORTER_LOGGER } from './status-exporter.tokens';
import { StatusMetrics } from './status-metrics/status-metrics.service';

/** The status exporter: its metrics (bounded labels, overflow logged) and the status topic's consumer. */
export const AppModule = serviceAppModule<StatusExporterConfig>({
  service: STATUS_EXPORTER_SERVICE,
  configToken: STATUS_EXPORTER_CONFIG,
  loggerToken: STATUS_EXPORTER_LOGGER,
  parts: (config, logger) => ({
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
  }),
});
