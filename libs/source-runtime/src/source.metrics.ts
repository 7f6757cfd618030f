import {
  counter,
  defineMetrics,
  gauge,
  histogram,
} from '@kingbridge/observability';
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';

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

/** Source API request latency buckets (seconds). */
const SOURCE_REQUEST_BUCKETS_SECONDS: readonly number[] = [
  0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

const cache = new WeakMap<Registry, SourceMetrics>();

/** Registers (once per registry) and returns the source metrics. */
export function createSourceMetrics(registry: Registry): SourceMetrics {
  const existing = cache.get(registry);
  if (existing) return existing;
  const metrics: SourceMetrics = defineMetrics(registry, {
    requests: counter(
      'kingbridge_source_requests_total',
      ['connector', 'endpoint', 'outcome'],
      'Source API requests by endpoint and outcome',
    ),
    requestDuration: histogram(
      'kingbridge_source_request_duration_seconds',
      ['connector', 'endpoint'],
      'Source API request latency',
      SOURCE_REQUEST_BUCKETS_SECONDS,
    ),
    throttled: counter(
      'kingbridge_source_throttled_total',
      ['connector'],
      'Throttle answers received from the source API',
    ),
    retries: counter(
      'kingbridge_source_retries_total',
      ['connector'],
      'Source requests retried after a transient failure or throttle',
    ),
    recordsPublished: counter(
      'kingbridge_source_records_published_total',
      ['connector', 'stream'],
      'Raw records published and acknowledged by Kafka',
    ),
    recordsDeduplicated: counter(
      'kingbridge_source_records_deduplicated_total',
      ['connector', 'stream'],
      'Records read but not republished because their content hash was already published',
    ),
    checkpointTimestamp: gauge(
      'kingbridge_source_checkpoint_timestamp_seconds',
      ['connector', 'stream'],
      'Checkpoint of the stream as unix seconds (freshness = time() - value)',
    ),
    windowFailures: counter(
      'kingbridge_source_window_failures_total',
      ['connector', 'stream', 'error_class'],
      'Query windows that failed and will be retried on the next tick',
    ),
    streamStopped: gauge(
      'kingbridge_source_stream_stopped',
      ['connector', 'stream'],
      '1 when the stream is stopped (e.g. invalid credentials)',
    ),
  });
  cache.set(registry, metrics);
  return metrics;
}
