import type { DashboardSpec } from './dashboard-kit.util';

const FLOW = 'flow=~"$flow"';

/** Per flow: throughput, success/failure, latency, lag, freshness, dead letters. */
export const OVERVIEW_DASHBOARD: DashboardSpec = {
  uid: 'kingbridge-overview',
  file: 'overview.json',
  title: 'Kingbridge / Overview',
  description:
    'Business view of every flow from the status topic (status exporter), with the Kafka lag, source freshness and dead letters behind it.',
  variables: [
    {
      name: 'flow',
      label: 'Flow',
      query: 'label_values(kingbridge_documents_total, flow)',
    },
  ],
  rows: [
    {
      title: 'Flows at a glance',
      panels: [
        {
          kind: 'stat',
          title: 'Documents written (1h)',
          description:
            'Documents written to Kingdee in the last hour, all selected flows.',
          unit: 'short',
          span: 6,
          queries: [
            {
              expr: `sum(increase(kingbridge_documents_total{${FLOW},outcome="written"}[1h]))`,
              legend: 'written',
            },
          ],
        },
        {
          kind: 'stat',
          title: 'Dead-lettered documents (1h)',
          description:
            'Documents that failed permanently in the last hour: each needs a fix and a replay.',
          unit: 'short',
          span: 6,
          redFrom: 1,
          queries: [
            {
              expr: `sum(increase(kingbridge_documents_total{${FLOW},outcome="dead_lettered"}[1h])) or vector(0)`,
              legend: 'dead-lettered',
            },
          ],
        },
        {
          kind: 'stat',
          title: 'On time (SLO 99% within 300 s, 1h)',
          description:
            'Share of written documents that reached Kingdee within 300 s of the source fetch, last hour.',
          unit: 'percentunit',
          span: 6,
          queries: [
            {
              expr: `1 - max(flow:kingbridge_source_to_kingdee_latency:slow_ratio_rate1h{${FLOW}})`,
              legend: 'worst flow',
            },
          ],
        },
        {
          kind: 'stat',
          title: 'Oldest last success',
          description:
            'Time since the most stale selected flow last wrote a document to Kingdee.',
          unit: 's',
          span: 6,
          redFrom: 3600,
          queries: [
            {
              expr: `max(time() - kingbridge_flow_last_success_timestamp_seconds{${FLOW}})`,
              legend: 'oldest',
            },
          ],
        },
      ],
    },
    {
      title: 'Alerts',
      panels: [
        {
          kind: 'table',
          title: 'Firing alerts',
          description:
            'Kingbridge alerts firing now (deploy/prometheus/rules/alerts.yml); each has a runbook in docs/runbooks/.',
          unit: 'short',
          span: 24,
          queries: [
            {
              expr: 'sort_desc(ALERTS{alertstate="firing"})',
              legend: '{{alertname}}',
              mayBeEmpty: true,
            },
          ],
        },
      ],
    },
    {
      title: 'Throughput and outcomes',
      panels: [
        {
          kind: 'timeseries',
          title: 'Documents written per second by flow',
          description:
            'Throughput per flow: documents written to Kingdee per second.',
          unit: 'ops',
          span: 12,
          min: 0,
          queries: [
            {
              expr: `sum by (flow) (rate(kingbridge_documents_total{${FLOW},outcome="written"}[$__rate_interval]))`,
              legend: '{{flow}}',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Document outcomes per second',
          description:
            'written / duplicate_skipped / retrying / dead_lettered per flow (status topic).',
          unit: 'ops',
          span: 12,
          min: 0,
          stacked: true,
          queries: [
            {
              expr: `sum by (flow, outcome) (rate(kingbridge_documents_total{${FLOW}}[$__rate_interval]))`,
              legend: '{{flow}} {{outcome}}',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Document errors per second by class',
          description:
            'Failed or retried writes by error class (bounded set), per flow.',
          unit: 'ops',
          span: 12,
          min: 0,
          stacked: true,
          queries: [
            {
              expr: `sum by (flow, error_class) (rate(kingbridge_document_errors_total{${FLOW}}[$__rate_interval]))`,
              legend: '{{flow}} {{error_class}}',
              mayBeEmpty: true,
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Changes after write by kind',
          description:
            'Documents about a source record that changed after its document was written: corrected = a delta document of a merged window (negative lines for what left); changed_after_write = held as a dead letter with both versions, replay to update the bill; updated = the written bill saved over in place (plan rule update); reversed = a reversal bill, then the new version as a new bill (plan rule reverse).',
          unit: 'short',
          span: 12,
          min: 0,
          stacked: true,
          queries: [
            {
              expr: `sum by (flow, change) (increase(kingbridge_document_changes_total{${FLOW}}[$__rate_interval]))`,
              legend: '{{flow}} {{change}}',
              mayBeEmpty: true,
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Dead letters per second by topic',
          description:
            'Messages sent to <topic>.dlq by any consumer (transform, sink, status exporter).',
          unit: 'ops',
          span: 12,
          min: 0,
          stacked: true,
          queries: [
            {
              expr: 'sum by (topic, error_class) (rate(kingbridge_kafka_dead_letters_total[$__rate_interval]))',
              legend: '{{topic}} {{error_class}}',
              mayBeEmpty: true,
            },
          ],
        },
      ],
    },
    {
      title: 'Latency and freshness',
      panels: [
        {
          kind: 'timeseries',
          title: 'Source-to-Kingdee latency p50 / p95',
          description:
            'Time from source fetch to the Kingdee write, per flow (status exporter histogram).',
          unit: 's',
          span: 12,
          min: 0,
          queries: [
            {
              expr: `histogram_quantile(0.95, sum by (flow, le) (rate(kingbridge_source_to_kingdee_latency_seconds_bucket{${FLOW}}[$__rate_interval])))`,
              legend: '{{flow}} p95',
            },
            {
              expr: `histogram_quantile(0.5, sum by (flow, le) (rate(kingbridge_source_to_kingdee_latency_seconds_bucket{${FLOW}}[$__rate_interval])))`,
              legend: '{{flow}} p50',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Latency SLO: share slower than 300 s',
          description:
            'Error-budget burn: share of documents slower than 300 s over 5m and 1h (budget: 1%).',
          unit: 'percentunit',
          span: 12,
          min: 0,
          queries: [
            {
              expr: `flow:kingbridge_source_to_kingdee_latency:slow_ratio_rate5m{${FLOW}}`,
              legend: '{{flow}} 5m',
            },
            {
              expr: `flow:kingbridge_source_to_kingdee_latency:slow_ratio_rate1h{${FLOW}}`,
              legend: '{{flow}} 1h',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Time since last success by flow',
          description:
            'Freshness: seconds since each flow last wrote a document to Kingdee.',
          unit: 's',
          span: 12,
          min: 0,
          queries: [
            {
              expr: `flow:kingbridge_flow_last_success_timestamp_seconds:age{${FLOW}}`,
              legend: '{{flow}}',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Source checkpoint age by stream',
          description:
            'Freshness of the source side: seconds since each stream checkpoint.',
          unit: 's',
          span: 12,
          min: 0,
          queries: [
            {
              expr: 'connector_stream:kingbridge_source_checkpoint_timestamp_seconds:age',
              legend: '{{connector}}/{{stream}}',
            },
          ],
        },
      ],
    },
    {
      title: 'Backlog',
      panels: [
        {
          kind: 'timeseries',
          title: 'Consumer lag by group and topic',
          description: 'Messages not yet consumed, summed over partitions.',
          unit: 'short',
          span: 24,
          min: 0,
          queries: [
            {
              expr: 'group_topic:kingbridge_kafka_consumer_lag:sum',
              legend: '{{group}} ← {{topic}}',
            },
          ],
        },
      ],
    },
  ],
};
