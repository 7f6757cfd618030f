import { describe, expect, it } from 'vitest';
import {
  allowedLabels,
  exposedSeriesNames,
  metricNamesInPromql,
  pinnedMetrics,
  selectorsInPromql,
} from '../promql-metrics.util';
import { runbookSlug } from '../rule-expressions';

describe('metricNamesInPromql', () => {
  it('should find metric names and skip functions, keywords, labels and strings when parsing a complex expression', () => {
    const expr = `
      histogram_quantile(0.95, sum by (flow, le) (rate(kingbridge_source_to_kingdee_latency_seconds_bucket{flow=~"up|kingbridge_fake"}[5m])))
      > on (flow) group_left flow:kingbridge_documents:rate5m
      unless sum without (instance) (kingbridge_sink_rows_total offset 15m) or vector(0) and up == bool 1`;

    expect(metricNamesInPromql(expr).sort()).toEqual([
      'flow:kingbridge_documents:rate5m',
      'kingbridge_sink_rows_total',
      'kingbridge_source_to_kingdee_latency_seconds_bucket',
      'up',
    ]);
  });

  it('should report a misspelled metric when an expression uses it', () => {
    expect(
      metricNamesInPromql('sum(rate(kingbridge_documnets_total[5m]))'),
    ).toEqual(['kingbridge_documnets_total']);
  });
});

describe('selectorsInPromql', () => {
  it('should list the label names of each selector when matchers use every operator', () => {
    expect(
      selectorsInPromql('x_total{a="1", b=~"2|3", c!="}", d!~"4"} + y{e="5"}'),
    ).toEqual([
      { name: 'x_total', labels: ['a', 'b', 'c', 'd'] },
      { name: 'y', labels: ['e'] },
    ]);
  });
});

describe('pinnedMetrics', () => {
  it('should parse names, types and labels from the CONTRIBUTING.md table', () => {
    const byName = new Map(pinnedMetrics().map((m) => [m.name, m]));

    expect(byName.get('kingbridge_source_requests_total')).toEqual({
      name: 'kingbridge_source_requests_total',
      type: 'counter',
      labels: ['connector', 'endpoint', 'outcome'],
    });
    expect(
      byName.get('kingbridge_source_checkpoint_timestamp_seconds')?.labels,
    ).toEqual(['connector', 'stream']);
    expect(byName.get('kingbridge_documents_total')?.labels).toEqual([
      'flow',
      'target',
      'form',
      'outcome',
    ]);
    const histogram = byName.get('kingbridge_sink_batch_rows')!;
    expect(exposedSeriesNames(histogram)).toEqual([
      'kingbridge_sink_batch_rows_bucket',
      'kingbridge_sink_batch_rows_sum',
      'kingbridge_sink_batch_rows_count',
    ]);
    expect(
      allowedLabels(histogram, 'kingbridge_sink_batch_rows_bucket').has('le'),
    ).toBe(true);
    expect(
      allowedLabels(histogram, 'kingbridge_sink_batch_rows_count').has('le'),
    ).toBe(false);
    expect(
      allowedLabels(histogram, 'kingbridge_sink_batch_rows_count').has('flow'),
    ).toBe(false);
  });
});

describe('runbookSlug', () => {
  it('should turn an alert name into a kebab-case file name', () => {
    expect(runbookSlug('KingbridgeLatencySloBurn')).toBe(
      'kingbridge-latency-slo-burn',
    );
  });
});
