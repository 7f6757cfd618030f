import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/**
 * Metric names referenced by a PromQL expression (a light tokenizer, enough
 * for the expressions of this repo; syntax itself is checked by promtool).
 * Strings, label matchers, grouping clauses, ranges and function names are
 * removed; what remains as identifiers are metric names.
 */
export function metricNamesInPromql(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(
      /\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g,
      ' ',
    )
    .replace(/\boffset\s+\S+/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const name = match[0];
    const rest = stripped.slice((match.index ?? 0) + name.length);
    if (/^\s*\(/.test(rest)) continue; // function call
    if (KEYWORDS.has(name.toLowerCase())) continue;
    if (/^\$/.test(name)) continue;
    names.add(name);
  }
  return [...names];
}

export interface PinnedMetric {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly labels: readonly string[];
}

/** The metric table of CONTRIBUTING.md ("Logging and metrics"), parsed. */
export function pinnedMetrics(
  contributingPath: string = join(__dirname, '..', '..', 'CONTRIBUTING.md'),
): PinnedMetric[] {
  const out: PinnedMetric[] = [];
  for (const line of readFileSync(contributingPath, 'utf8').split('\n')) {
    const m =
      /^\|\s*`(kingbridge_[a-z0-9_]+)`[^|]*\|\s*(counter|gauge|histogram)\s*\|\s*([^|]*)\|/.exec(
        line,
      );
    if (!m) continue;
    const labels = (m[3] ?? '')
      .split(',')
      .map((l) => l.trim().split(/\s|\(/)[0] ?? '')
      .filter((l) => /^[a-z_]+$/.test(l));
    out.push({
      name: m[1] as string,
      type: m[2] as PinnedMetric['type'],
      labels,
    });
  }
  return out;
}

/** Names a metric exposes in the text format (histograms: _bucket/_sum/_count). */
export function exposedSeriesNames(metric: PinnedMetric): string[] {
  return metric.type === 'histogram'
    ? [`${metric.name}_bucket`, `${metric.name}_sum`, `${metric.name}_count`]
    : [metric.name];
}

/** Standard series every Prometheus or prom-client target has (ALERTS: Prometheus' own alert state). */
export function isStandardMetric(name: string): boolean {
  return (
    name === 'ALERTS' ||
    name === 'up' ||
    name.startsWith('process_') ||
    name.startsWith('nodejs_') ||
    name.startsWith('scrape_')
  );
}

/** `metric{a="x", b=~"y"}` selectors of an expression with their label names. */
export function selectorsInPromql(
  expr: string,
): Array<{ name: string; labels: string[] }> {
  // Blank string contents first: a value may contain braces or operators.
  const blanked = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
  const out: Array<{ name: string; labels: string[] }> = [];
  for (const m of blanked.matchAll(
    /([A-Za-z_:][A-Za-z0-9_:]*)\s*\{([^}]*)\}/g,
  )) {
    const labels = [
      ...(m[2] ?? '').matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)/g),
    ].map((l) => l[1] as string);
    out.push({ name: m[1] as string, labels });
  }
  return out;
}

/** Labels a series of `metric` may carry: its pinned labels, `le`, and target labels. */
export function allowedLabels(
  metric: PinnedMetric,
  seriesName: string,
): Set<string> {
  // job and instance come from the scrape target, service from the registry's default labels.
  const labels = new Set([...metric.labels, 'job', 'instance', 'service']);
  if (seriesName.endsWith('_bucket')) labels.add('le');
  return labels;
}
