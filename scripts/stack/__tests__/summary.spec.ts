import { describe, expect, it } from 'vitest';
import type { SyncPlan } from '@kingbridge/transform-engine';
import { parsePrometheusText, sumOf } from '../prometheus-text.util';
import { flowRows, renderTable } from '../summary';

const plan = {
  id: 'wdt-stockout-to-k3cloud-outstock',
  source: {
    platform: 'wdt',
    entity: 'stockout-order',
    stream: 'wdt.stockout-order.shipped',
  },
  target: { system: 'k3cloud' },
} as unknown as SyncPlan;

describe('live summary', () => {
  it('should parse labels with escaped quotes and sum only matching samples', () => {
    const samples = parsePrometheusText(
      [
        '# HELP x y',
        'kingbridge_source_records_published_total{connector="wdt",stream="wdt.stockout-order.shipped"} 7',
        'kingbridge_source_records_published_total{connector="wdt",stream="other"} 100',
        'weird{label="a \\"quoted\\" value"} 1',
      ].join('\n'),
    );
    expect(samples).toHaveLength(3);
    expect(samples[2]?.labels.label).toBe('a "quoted" value');
    expect(
      sumOf(samples, 'kingbridge_source_records_published_total', {
        stream: 'wdt.stockout-order.shipped',
      }),
    ).toBe(7);
  });

  it('should compute per-flow numbers from each service and show freshness from the checkpoint', () => {
    const connectors = parsePrometheusText(
      [
        'kingbridge_source_records_published_total{connector="wdt",stream="wdt.stockout-order.shipped"} 10',
        'kingbridge_source_records_deduplicated_total{connector="wdt",stream="wdt.stockout-order.shipped"} 3',
        'kingbridge_source_checkpoint_timestamp_seconds{connector="wdt",stream="wdt.stockout-order.shipped"} 1000',
      ].join('\n'),
    );
    const transform = parsePrometheusText(
      [
        'kingbridge_transform_records_total{flow="wdt-stockout-to-k3cloud-outstock",outcome="out"} 9',
        'kingbridge_transform_records_total{flow="wdt-stockout-to-k3cloud-outstock",outcome="failed"} 1',
        'kingbridge_kafka_consumer_lag{group="transform",topic="oms.wdt.stockout-order.raw.v1",partition="0"} 4',
      ].join('\n'),
    );
    const exporter = parsePrometheusText(
      [
        'kingbridge_documents_total{flow="wdt-stockout-to-k3cloud-outstock",target="k3cloud",form="SAL_OUTSTOCK",outcome="written"} 8',
        'kingbridge_documents_total{flow="wdt-stockout-to-k3cloud-outstock",target="k3cloud",form="SAL_OUTSTOCK",outcome="dead_lettered"} 2',
      ].join('\n'),
    );
    const [row] = flowRows(
      [plan],
      { connectors, transform, sink: [], exporter },
      1030,
    );
    expect(row).toEqual({
      flow: plan.id,
      fetched: 13,
      published: 10,
      mapped: 9,
      written: 8,
      failed: 3,
      lag: 4,
      freshnessSeconds: 30,
    });
    expect(renderTable([row!])).toMatch(
      /wdt-stockout-to-k3cloud-outstock\s+13\s+10\s+9\s+8\s+3\s+4\s+30s/,
    );
  });
});
