import { z } from 'zod';
import { baseConfigSchema } from '@kingbridge/config';
import { STATUS_TOPIC } from '@kingbridge/contracts';
import {
  MAX_FLOW_LABEL_VALUES,
  MAX_FORM_LABEL_VALUES,
} from './status-metrics/status-metrics.constant';

export const STATUS_EXPORTER_SERVICE = 'status-exporter';
export const STATUS_EXPORTER_DEFAULT_PORT = 19430;

const booleanString = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');

/** Environment of the status exporter (extends the shared base schema). */
export const statusExporterConfigSchema = baseConfigSchema.extend({
  HTTP_PORT: z.coerce
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(STATUS_EXPORTER_DEFAULT_PORT)
    .describe('port of /metrics and /health'),
  STATUS_TOPIC: z
    .string()
    .min(1)
    .default(STATUS_TOPIC)
    .describe('write-status topic to consume'),
  STATUS_GROUP_ID: z
    .string()
    .min(1)
    .default(`${STATUS_EXPORTER_SERVICE}.write-status`)
    .describe('consumer group id'),
  // Default true: a new group counts the whole topic once. Prometheus rate()
  // ignores a series' initial value, so history fills the last-success gauge
  // without a throughput spike, and events sent before the first start count.
  STATUS_FROM_BEGINNING: booleanString
    .default(true)
    .describe(
      'read the topic from the start when the group has no committed offset',
    ),
  STATUS_MAX_FLOWS: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(MAX_FLOW_LABEL_VALUES)
    .describe('distinct flow label values before new ones collapse to "other"'),
  STATUS_MAX_FORMS: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(MAX_FORM_LABEL_VALUES)
    .describe('distinct form label values before new ones collapse to "other"'),
});
export type StatusExporterConfig = z.infer<typeof statusExporterConfigSchema>;

/** Injection token of the loaded config. */
export const STATUS_EXPORTER_CONFIG = Symbol('STATUS_EXPORTER_CONFIG');
