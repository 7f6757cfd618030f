/** What the deploy checks reuse of the status exporter: its config schema and the latency buckets the rules use. */
export { statusExporterConfigSchema } from './status-exporter.config';
export {
  LATENCY_BUCKETS_SECONDS,
  LATENCY_SLO_THRESHOLD_SECONDS,
} from './status-metrics/status-metrics.constant';
