import type { DashboardSpec } from './dashboard-kit.util';

const T = 'target=~"$target"';

/** Kingdee sink: requests, rows, latency, batches, in-flight, retries, ledger, dead letters. */
export const SINK_KINGDEE_DASHBOARD: DashboardSpec = {
  uid: 'kingbridge-sink-kingdee',
  file: 'sink-kingdee.json',
  title: 'Kingbridge / Kingdee sink',
  description:
    'Writes to K3Cloud, JDY and K3 WISE: requests, rows by outcome, latency, batch sizes, retries, ledger.',
  variables: [
    {
      name: 'target',
      label: 'Target',
      query: 'label_values(kingbridge_sink_requests_total, target)',
    },
  ],
  rows: [
    {
      title: 'Writes',
      panels: [
        {
          kind: 'timeseries',
          title: 'Rows per second by outcome',
          description:
            'written / failed / retried / duplicate_skipped rows per target.',
          unit: 'ops',
          span: 12,
          min: 0,
          stacked: true,
          queries: [
            {
              expr: `sum by (target, outcome) (rate(kingbridge_sink_rows_total{${T}}[$__rate_interval]))`,
              legend: '{{target}} {{outcome}}',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Requests per second by outcome',
          description:
            'Save/batch-save calls to Kingdee per target and outcome.',
          unit: 'reqps',
          span: 12,
          min: 0,
          stacked: true,
          queries: [
            {
              expr: `sum by (target, outcome) (rate(kingbridge_sink_requests_total{${T}}[$__rate_interval]))`,
              legend: '{{target}} {{outcome}}',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Request latency p95 by form',
          description: 'Kingdee write latency per target and form.',
          unit: 's',
          span: 12,
          min: 0,
          queries: [
            {
              expr: `histogram_quantile(0.95, sum by (target, form, le) (rate(kingbridge_sink_request_duration_seconds_bucket{${T}}[$__rate_interval])))`,
              legend: '{{target}} {{form}}',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Rows per batch (median)',
          description:
            'Median batch size per target and form; many tiny batches cost many requests.',
          unit: 'short',
          span: 12,
          min: 0,
          queries: [
            {
              expr: `histogram_quantile(0.5, sum by (target, form, le) (rate(kingbridge_sink_batch_rows_bucket{${T}}[$__rate_interval])))`,
              legend: '{{target}} {{form}}',
            },
          ],
        },
      ],
    },
    {
      title: 'Pressure and failures',
      panels: [
        {
          kind: 'timeseries',
          title: 'In-flight requests',
          description:
            'Concurrent requests per target (bounded by the writer max in-flight).',
          unit: 'short',
          span: 8,
          min: 0,
          queries: [
            {
              expr: `sum by (target) (kingbridge_sink_in_flight_requests{${T}})`,
              legend: '{{target}}',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Retries per second by error class',
          description:
            'Retried writes: throttled / concurrency_limit / session_lost / network / timeout / server_error…',
          unit: 'ops',
          span: 8,
          min: 0,
          stacked: true,
          queries: [
            {
              expr: `sum by (target, error_class) (rate(kingbridge_sink_retries_total{${T}}[$__rate_interval]))`,
              legend: '{{target}} {{error_class}}',
              mayBeEmpty: true,
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Row error ratio',
          description:
            'Failed + retried rows over rows sent; the Kingdee error-rate alert fires above 10%.',
          unit: 'percentunit',
          span: 8,
          min: 0,
          queries: [
            {
              expr: `sum by (target) (rate(kingbridge_sink_rows_total{${T},outcome=~"failed|retried"}[$__rate_interval])) / sum by (target) (rate(kingbridge_sink_rows_total{${T},outcome=~"written|failed|retried"}[$__rate_interval]))`,
              legend: '{{target}}',
              mayBeEmpty: true,
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Ledger documents by state',
          description: 'Documents in the idempotency ledger per state.',
          unit: 'short',
          span: 12,
          min: 0,
          queries: [
            {
              expr: 'sum by (state) (kingbridge_sink_ledger_documents)',
              legend: '{{state}}',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Dead letters waiting for replay',
          description: 'Dead-lettered documents stored by the sink, per flow.',
          unit: 'short',
          span: 12,
          min: 0,
          queries: [
            {
              expr: 'sum by (flow) (kingbridge_sink_dead_letters)',
              legend: '{{flow}}',
              mayBeEmpty: true,
            },
          ],
        },
      ],
    },
  ],
};
