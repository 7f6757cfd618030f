import type { DashboardSpec } from './dashboard-kit.util';

const C = 'connector=~"$connector"';

/** Source connectors: API requests, throttling, records published, checkpoints. */
export const SOURCE_CONNECTORS_DASHBOARD: DashboardSpec = {
  uid: 'kingbridge-source-connectors',
  file: 'source-connectors.json',
  title: 'Kingbridge / Source connectors',
  description:
    'Jackyun, WDT, Jushuitan and Xiaoman pulls: API calls, throttling, retries, records, checkpoint freshness.',
  variables: [
    {
      name: 'connector',
      label: 'Connector',
      query: 'label_values(kingbridge_source_requests_total, connector)',
    },
  ],
  rows: [
    {
      title: 'Streams',
      panels: [
        {
          kind: 'stat',
          title: 'Stopped streams',
          description:
            'Streams the connector gave up on (e.g. invalid credentials). Anything above 0 pages.',
          unit: 'short',
          span: 8,
          redFrom: 1,
          queries: [
            {
              expr: `sum(kingbridge_source_stream_stopped{${C}})`,
              legend: 'stopped',
            },
          ],
        },
        {
          kind: 'stat',
          title: 'Oldest checkpoint',
          description:
            'Age of the oldest stream checkpoint; the stall alert fires above 30 minutes.',
          unit: 's',
          span: 8,
          redFrom: 1800,
          queries: [
            {
              expr: `max(time() - kingbridge_source_checkpoint_timestamp_seconds{${C}})`,
              legend: 'oldest',
            },
          ],
        },
        {
          kind: 'stat',
          title: 'Records published (1h)',
          description: 'Raw records produced to Kafka in the last hour.',
          unit: 'short',
          span: 8,
          queries: [
            {
              expr: `sum(increase(kingbridge_source_records_published_total{${C}}[1h]))`,
              legend: 'published',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Checkpoint age by stream',
          description:
            'Seconds since each stream last advanced its checkpoint.',
          unit: 's',
          span: 12,
          min: 0,
          queries: [
            {
              expr: `time() - max by (connector, stream) (kingbridge_source_checkpoint_timestamp_seconds{${C}})`,
              legend: '{{connector}}/{{stream}}',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Records published and deduplicated per second',
          description:
            'Records produced to the raw topics, and records skipped as already seen (overlap re-reads).',
          unit: 'ops',
          span: 12,
          min: 0,
          queries: [
            {
              expr: `sum by (connector, stream) (rate(kingbridge_source_records_published_total{${C}}[$__rate_interval]))`,
              legend: '{{connector}}/{{stream}} published',
            },
            {
              expr: `sum by (connector, stream) (rate(kingbridge_source_records_deduplicated_total{${C}}[$__rate_interval]))`,
              legend: '{{connector}}/{{stream}} deduplicated',
              mayBeEmpty: true,
            },
          ],
        },
      ],
    },
    {
      title: 'API calls',
      panels: [
        {
          kind: 'timeseries',
          title: 'Requests per second by outcome',
          description:
            'ok / throttled / error / invalid_response / auth_error per connector.',
          unit: 'reqps',
          span: 12,
          min: 0,
          stacked: true,
          queries: [
            {
              expr: `sum by (connector, outcome) (rate(kingbridge_source_requests_total{${C}}[$__rate_interval]))`,
              legend: '{{connector}} {{outcome}}',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Request latency p95 by endpoint',
          description: 'API latency per endpoint.',
          unit: 's',
          span: 12,
          min: 0,
          queries: [
            {
              expr: `histogram_quantile(0.95, sum by (connector, endpoint, le) (rate(kingbridge_source_request_duration_seconds_bucket{${C}}[$__rate_interval])))`,
              legend: '{{connector}} {{endpoint}}',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Throttled requests and retries per second',
          description:
            'Rate-limit answers and retries; sustained throttling above 25% of requests alerts.',
          unit: 'ops',
          span: 12,
          min: 0,
          queries: [
            {
              expr: `sum by (connector) (rate(kingbridge_source_throttled_total{${C}}[$__rate_interval]))`,
              legend: '{{connector}} throttled',
              mayBeEmpty: true,
            },
            {
              expr: `sum by (connector) (rate(kingbridge_source_retries_total{${C}}[$__rate_interval]))`,
              legend: '{{connector}} retries',
              mayBeEmpty: true,
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Window failures per second by error class',
          description:
            'Query windows that failed and will be retried; the checkpoint does not move past them.',
          unit: 'ops',
          span: 12,
          min: 0,
          stacked: true,
          queries: [
            {
              expr: `sum by (connector, stream, error_class) (rate(kingbridge_source_window_failures_total{${C}}[$__rate_interval]))`,
              legend: '{{connector}}/{{stream}} {{error_class}}',
              mayBeEmpty: true,
            },
          ],
        },
      ],
    },
  ],
};
