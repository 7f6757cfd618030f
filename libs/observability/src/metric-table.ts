import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import {
  defineCounter,
  defineGauge,
  defineHistogram,
  type MetricDefinition,
} from './metric.factory';

/** One row of a metric table: defines its metric on the registry it is given (`defineMetrics`). */
export type MetricEntry<M> = (registry: Registry) => M;

/** A row's name, bounded label names and help text. */
type RowArgs<L extends string> = [
  name: string,
  labelNames: readonly L[],
  help: string,
];

function row<L extends string, M>(
  define: (registry: Registry, definition: MetricDefinition<L>) => M,
  [name, labelNames, help]: RowArgs<L>,
): MetricEntry<M> {
  return (registry) => define(registry, { name, help, labelNames });
}

/** A counter row. */
export const counter = <L extends string = never>(
  ...args: RowArgs<L>
): MetricEntry<Counter<L>> => row(defineCounter<L>, args);

/** A gauge row. */
export const gauge = <L extends string = never>(
  ...args: RowArgs<L>
): MetricEntry<Gauge<L>> => row(defineGauge<L>, args);

/** A histogram row, with its buckets (named constants, in base units). */
export const histogram = <L extends string = never>(
  ...[name, labelNames, help, buckets]: [...RowArgs<L>, readonly number[]]
): MetricEntry<Histogram<L>> =>
  row(
    (registry, definition) =>
      defineHistogram(registry, { ...definition, buckets }),
    [name, labelNames, help],
  );

/**
 * A module's metrics from one table of rows (`counter`, `gauge`, `histogram`), each defined on `registry` under
 * the naming rules of `defineCounter` (get-or-create, so two callers share one metric).
 */
export function defineMetrics<T extends Record<string, MetricEntry<unknown>>>(
  registry: Registry,
  table: T,
): { readonly [K in keyof T]: ReturnType<T[K]> } {
  return Object.fromEntries(
    Object.entries(table).map(([key, define]) => [key, define(registry)]),
  ) as { readonly [K in keyof T]: ReturnType<T[K]> };
}
