import {
  Counter,
  Gauge,
  Histogram,
  type Metric,
  type Registry,
} from 'prom-client';

/** Raised at definition time for a metric that breaks the naming rules. */
export class MetricDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetricDefinitionError';
  }
}

/**
 * Labels whose values are unbounded (one series per record would exhaust
 * Prometheus). Compared after snake-casing, so `recordId` is caught too.
 */
export const FORBIDDEN_LABELS: readonly string[] = [
  'id',
  'record_id',
  'source_id',
  'document_key',
  'bill_no',
  'request_id',
  'trace_id',
  'offset',
];

/** Set by the registry or by Prometheus itself. */
const RESERVED_LABELS: readonly string[] = [
  'service',
  'le',
  'quantile',
  'job',
  'instance',
];

const NAME = /^kingbridge_[a-z][a-z0-9_]*[a-z0-9]$/;
const LABEL = /^[a-z][a-z0-9_]*$/;

export type MetricKind = 'counter' | 'gauge' | 'histogram';

export interface MetricDefinition<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly L[];
}

export interface HistogramDefinition<
  L extends string,
> extends MetricDefinition<L> {
  readonly buckets?: readonly number[];
}

/**
 * Checks a definition against the project's rules; throws
 * MetricDefinitionError naming the rule. Exported for tests and lint-like use.
 */
export function assertMetricDefinition(
  kind: MetricKind,
  definition: MetricDefinition<string>,
): void {
  const { name } = definition;
  if (!NAME.test(name)) {
    throw new MetricDefinitionError(
      `metric "${name}": names are lower snake_case and start with "kingbridge_"`,
    );
  }
  if (kind === 'counter' && !name.endsWith('_total')) {
    throw new MetricDefinitionError(`counter "${name}" must end in "_total"`);
  }
  if (kind !== 'counter' && name.endsWith('_total')) {
    throw new MetricDefinitionError(
      `${kind} "${name}" must not end in "_total" (reserved for counters)`,
    );
  }
  if (kind === 'histogram' && /_(bucket|sum|count)$/.test(name)) {
    throw new MetricDefinitionError(
      `histogram "${name}" must not end in _bucket, _sum or _count`,
    );
  }
  if (!definition.help.trim()) {
    throw new MetricDefinitionError(`metric "${name}" needs a help text`);
  }
  const seen = new Set<string>();
  for (const label of definition.labelNames ?? []) {
    const normalised = label
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .toLowerCase();
    if (FORBIDDEN_LABELS.includes(normalised)) {
      throw new MetricDefinitionError(
        `metric "${name}": label "${label}" is unbounded (one series per record); ` +
          'log it instead of labelling with it',
      );
    }
    if (RESERVED_LABELS.includes(normalised)) {
      throw new MetricDefinitionError(
        `metric "${name}": label "${label}" is reserved`,
      );
    }
    if (!LABEL.test(label)) {
      throw new MetricDefinitionError(
        `metric "${name}": label "${label}" must be lower snake_case`,
      );
    }
    if (seen.has(label)) {
      throw new MetricDefinitionError(
        `metric "${name}": label "${label}" repeated`,
      );
    }
    seen.add(label);
  }
}

/**
 * A counter on `registry`, created on first use. A second call with the same
 * name returns the same instance (so two modules share it), provided the kind
 * and label names match; otherwise it throws.
 */
export function defineCounter<L extends string = never>(
  registry: Registry,
  definition: MetricDefinition<L>,
): Counter<L> {
  return getOrCreate(registry, 'counter', definition, Counter<L>);
}

/** A gauge on `registry`; same get-or-create rules as `defineCounter`. */
export function defineGauge<L extends string = never>(
  registry: Registry,
  definition: MetricDefinition<L>,
): Gauge<L> {
  return getOrCreate(registry, 'gauge', definition, Gauge<L>);
}

/** A histogram on `registry` (its own buckets, if given); same get-or-create rules as `defineCounter`. */
export function defineHistogram<L extends string = never>(
  registry: Registry,
  definition: HistogramDefinition<L>,
): Histogram<L> {
  const { buckets } = definition;
  return getOrCreate(registry, 'histogram', definition, Histogram<L>, buckets);
}

/** What prom-client is given for every kind: name, help, label names, the one registry (and buckets). */
interface MetricConfig<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: L[];
  readonly registers: Registry[];
  readonly buckets?: number[];
}

/** The metric `definition.name` of `registry`, checked against `definition`, or a new one of `type`. */
function getOrCreate<L extends string, M extends Metric<L>>(
  registry: Registry,
  kind: MetricKind,
  definition: MetricDefinition<L>,
  type: new (config: MetricConfig<L>) => M,
  buckets?: readonly number[],
): M {
  assertMetricDefinition(kind, definition);
  const existing = registry.getSingleMetric(definition.name);
  if (!existing)
    return new type({
      name: definition.name,
      help: definition.help,
      labelNames: [...(definition.labelNames ?? [])],
      registers: [registry],
      ...(buckets ? { buckets: [...buckets] } : {}),
    });
  if (!(existing instanceof type)) {
    throw new MetricDefinitionError(
      `metric "${definition.name}" is already registered as another kind than ${kind}`,
    );
  }
  const had = [
    ...((existing as unknown as { labelNames?: string[] }).labelNames ?? []),
  ].sort();
  const wanted = [...(definition.labelNames ?? [])].sort();
  if (had.join(',') !== wanted.join(',')) {
    throw new MetricDefinitionError(
      `metric "${definition.name}" is already registered with labels [${had.join(', ')}], ` +
        `not [${wanted.join(', ')}]`,
    );
  }
  return existing;
}
