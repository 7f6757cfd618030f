import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The `kingbridge_source_*` metrics (names and labels pinned in CONTRIBUTING.md). */
export interface SourceMetrics {
  readonly requests: Counter<'connector' | 'endpoint' | 'outcome'>;
  readonly requestDuration: Histogram<'connector' | 'endpoint'>;
  readonly throttled: Counter<'connector'>;
  readonly retries: Counter<'connector'>;
  readonly recordsPublished: Counter<'connector' | 'stream'>;
  readonly recordsDeduplicated: Counter<'connector' | 'stream'>;
  readonly checkpointTimestamp: Gauge<'connector' | 'stream'>;
  readonly windowFailures: Counter<'connector' | 'stream' | 'error_class'>;
  readonly streamStopped: Gauge<'connector' | 'stream'>;
}

const cache = new WeakMap<Registry, SourceMetrics>();

/** Registers (once per registry) and returns the source metrics. */
export function createSourceMetrics(registry: Registry): SourceMetrics {
  const existing = cache.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const metrics: SourceMetrics = {
    requests: new Counter({
      name: 'kingbridge_source_requests_total',
      help: 'Source API requests by endpoint and outcome',
      labelNames: ['connector', 'endpoint', 'outcome'],
      registers,
    }),
    requestDuration: new Histogram({
      name: 'kingbridge_source_request_duration_seconds',
      help: 'Source API request latency',
      labelNames: ['connector', 'endpoint'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    throttled: new Counter({
      name: 'kingbridge_source_throttled_total',
      help: 'Throttle answers received from the source API',
      labelNames: ['connector'],
      registers,
    }),
    retries: new Counter({
      name: 'kingbridge_source_retries_total',
      help: 'Source requests retried after a transient failure or throttle',
      labelNames: ['connector'],
      registers,
    }),
    recordsPublished: new Counter({
      name: 'kingbridge_source_records_published_total',
      help: 'Raw records published and acknowledged by Kafka',
      labelNames: ['connector', 'stream'],
      registers,
    }),
    recordsDeduplicated: new Counter({
      name: 'kingbridge_source_records_deduplicated_total',
      help: 'Records read but not republished because their content hash was already published',
      labelNames: ['connector', 'stream'],
      registers,
    }),
    checkpointTimestamp: new Gauge({
      name: 'kingbridge_source_checkpoint_timestamp_seconds',
      help: 'Checkpoint of the stream as unix seconds (freshness = time() - value)',
      labelNames: ['connector', 'stream'],
      registers,
    }),
    windowFailures: new Counter({
      name: 'kingbridge_source_window_failures_total',
      help: 'Query windows that failed and will be retried on the next tick',
      labelNames: ['connector', 'stream', 'error_class'],
      registers,
    }),
    streamStopped: new Gauge({
      name: 'kingbridge_source_stream_stopped',
      help: '1 when the stream is stopped (e.g. invalid credentials)',
      labelNames: ['connector', 'stream'],
      registers,
    }),
  };
  cache.set(registry, metrics);
  return metrics;
}
