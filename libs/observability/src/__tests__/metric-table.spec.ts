import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  counter,
  defineCounter,
  defineMetrics,
  gauge,
  histogram,
  MetricDefinitionError,
} from '../index';

const TABLE = {
  rows: counter('kingbridge_test_rows_total', ['flow', 'outcome'], 'Rows'),
  open: gauge('kingbridge_test_open_windows', ['flow'], 'Open windows'),
  latency: histogram(
    'kingbridge_test_latency_seconds',
    ['flow'],
    'Latency',
    [0.5, 1, 2],
  ),
};

describe('defineMetrics', () => {
  it('should define each row of the table on the registry when given a table', async () => {
    const registry = new Registry();

    const metrics = defineMetrics(registry, TABLE);
    metrics.rows.inc({ flow: 'f', outcome: 'in' }, 2);
    metrics.open.set({ flow: 'f' }, 3);
    metrics.latency.observe({ flow: 'f' }, 1.5);
    // @ts-expect-error the row's label names are typed (and checked at runtime)
    expect(() => metrics.open.set({ form: 'f' }, 1)).toThrow(/form/);

    expect(metrics.rows).toBeInstanceOf(Counter);
    expect(metrics.open).toBeInstanceOf(Gauge);
    expect(metrics.latency).toBeInstanceOf(Histogram);
    const text = await registry.metrics();
    expect(text).toContain('# HELP kingbridge_test_rows_total Rows');
    expect(text).toContain(
      'kingbridge_test_rows_total{flow="f",outcome="in"} 2',
    );
    expect(text).toContain('kingbridge_test_open_windows{flow="f"} 3');
    expect(text).toContain(
      'kingbridge_test_latency_seconds_bucket{le="2",flow="f"} 1',
    );
    expect(text).not.toContain('le="0.005"');
  });

  it('should share the metrics with a second table or defineCounter when the names are the same', () => {
    const registry = new Registry();

    const first = defineMetrics(registry, TABLE);
    const second = defineMetrics(registry, TABLE);
    const single = defineCounter(registry, {
      name: 'kingbridge_test_rows_total',
      help: 'Rows',
      labelNames: ['flow', 'outcome'],
    });

    expect(second.rows).toBe(first.rows);
    expect(second.latency).toBe(first.latency);
    expect(single).toBe(first.rows);
  });

  it('should apply the naming rules when a row breaks them', () => {
    const registry = new Registry();

    expect(() =>
      defineMetrics(registry, {
        bad: counter('kingbridge_test_rows', ['flow'], 'Rows'),
      }),
    ).toThrow(MetricDefinitionError);
    expect(() =>
      defineMetrics(registry, {
        bad: gauge('kingbridge_test_open', ['record_id'], 'Open'),
      }),
    ).toThrow(/unbounded/);
  });
});
