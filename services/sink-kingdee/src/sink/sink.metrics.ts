import {
  defineCounter,
  defineGauge,
  defineHistogram,
} from '@kingbridge/observability';
import type { Registry } from 'prom-client';

/** The sink's metrics (names pinned in CONTRIBUTING.md; bounded labels only). */
export function sinkMetrics(registry: Registry) {
  return {
    requests: defineCounter(registry, {
      name: 'kingbridge_sink_requests_total',
      help: 'Kingdee write requests by outcome (ok, partial, or the error class of a failed request)',
      labelNames: ['target', 'form', 'outcome'] as const,
    }),
    rows: defineCounter(registry, {
      name: 'kingbridge_sink_rows_total',
      help: 'Documents by outcome: written, failed (dead-lettered), retried, duplicate_skipped, changed_after_write, updated (plan rule update), reversed (a reversal bill, plan rule reverse), withdrawn_ignored (withdrawn, never written)',
      labelNames: ['target', 'form', 'outcome'] as const,
    }),
    requestDuration: defineHistogram(registry, {
      name: 'kingbridge_sink_request_duration_seconds',
      help: 'Kingdee write request latency',
      labelNames: ['target', 'form'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    }),
    batchRows: defineHistogram(registry, {
      name: 'kingbridge_sink_batch_rows',
      help: 'Documents per Kingdee request',
      labelNames: ['target', 'form'] as const,
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    }),
    inFlight: defineGauge(registry, {
      name: 'kingbridge_sink_in_flight_requests',
      help: 'Kingdee requests in flight',
      labelNames: ['target'] as const,
    }),
    retries: defineCounter(registry, {
      name: 'kingbridge_sink_retries_total',
      help: 'Documents scheduled for another attempt, by error class',
      labelNames: ['target', 'form', 'error_class'] as const,
    }),
    ledger: defineGauge(registry, {
      name: 'kingbridge_sink_ledger_documents',
      help: 'Ledger documents by state',
      labelNames: ['state'] as const,
    }),
    deadLetters: defineGauge(registry, {
      name: 'kingbridge_sink_dead_letters',
      help: 'Open (not replayed, not resolved) dead letters by flow',
      labelNames: ['flow'] as const,
    }),
  };
}
export type SinkMetrics = ReturnType<typeof sinkMetrics>;
