import type { DashboardSpec } from './dashboard-kit.util';

const F = 'flow=~"$flow"';

/** Transform service: records in/out per flow, windows, watermark, late records. */
export const TRANSFORM_DASHBOARD: DashboardSpec = {
  uid: 'kingbridge-transform',
  file: 'transform.json',
  title: 'Kingbridge / Transform',
  description:
    'Sync plans and windowed merges: records in, out, filtered and failed; open windows; watermark lag.',
  variables: [
    {
      name: 'flow',
      label: 'Flow',
      query: 'label_values(kingbridge_transform_records_total, flow)',
    },
  ],
  rows: [
    {
      title: 'Records',
      panels: [
        {
          kind: 'timeseries',
          title: 'Records per second by outcome',
          description:
            'in (consumed raw records), out (documents emitted), filtered, failed — per flow.',
          unit: 'ops',
          span: 12,
          min: 0,
          queries: [
            {
              expr: `sum by (flow, outcome) (rate(kingbridge_transform_records_total{${F}}[$__rate_interval]))`,
              legend: '{{flow}} {{outcome}}',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Failed and late records per second',
          description:
            'Records that failed mapping (dead-lettered) and records that arrived after their window closed.',
          unit: 'ops',
          span: 12,
          min: 0,
          queries: [
            {
              expr: `sum by (flow) (rate(kingbridge_transform_records_total{${F},outcome="failed"}[$__rate_interval]))`,
              legend: '{{flow}} failed',
              mayBeEmpty: true,
            },
            {
              expr: `sum by (flow) (rate(kingbridge_transform_late_records_total{${F}}[$__rate_interval]))`,
              legend: '{{flow}} late',
              mayBeEmpty: true,
            },
          ],
        },
      ],
    },
    {
      title: 'Windows',
      panels: [
        {
          kind: 'timeseries',
          title: 'Open merge windows',
          description: 'Windows currently collecting records, per flow.',
          unit: 'short',
          span: 8,
          min: 0,
          queries: [
            {
              expr: `sum by (flow) (kingbridge_transform_open_windows{${F}})`,
              legend: '{{flow}}',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Records held in windows',
          description: 'Records buffered in open windows, per flow.',
          unit: 'short',
          span: 8,
          min: 0,
          queries: [
            {
              expr: `sum by (flow) (kingbridge_transform_window_records{${F}})`,
              legend: '{{flow}}',
            },
          ],
        },
        {
          kind: 'timeseries',
          title: 'Watermark lag',
          description:
            'How far the event-time watermark trails the wall clock, per flow.',
          unit: 's',
          span: 8,
          min: 0,
          queries: [
            {
              expr: `max by (flow) (kingbridge_transform_watermark_lag_seconds{${F}})`,
              legend: '{{flow}}',
            },
          ],
        },
      ],
    },
  ],
};
