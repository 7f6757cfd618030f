import { rawTopic } from '@kingbridge/source-registry';
import type { SyncPlan } from '@kingbridge/transform-engine';
import {
  parsePrometheusText,
  sumOf,
  type Sample,
} from './prometheus-text.util';

export interface FlowRow {
  readonly flow: string;
  /** Records read from the source (published + skipped as unchanged). */
  readonly fetched: number;
  readonly published: number;
  readonly mapped: number;
  readonly written: number;
  readonly failed: number;
  readonly lag: number;
  /** Seconds since the stream's checkpoint, or undefined before the first checkpoint. */
  readonly freshnessSeconds: number | undefined;
}

/** Scrapes one /metrics page; an unreachable service yields no samples. */
export async function scrape(port: number): Promise<Sample[]> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, {
      signal: AbortSignal.timeout(1_500),
    });
    return res.ok ? parsePrometheusText(await res.text()) : [];
  } catch {
    return [];
  }
}

/** Per-flow numbers from the services' own metrics (the same ones Prometheus scrapes). */
export function flowRows(
  plans: readonly SyncPlan[],
  m: {
    connectors: Sample[];
    transform: Sample[];
    sink: Sample[];
    exporter: Sample[];
  },
  nowSeconds: number,
): FlowRow[] {
  return plans.map((p) => {
    const stream = p.source.stream;
    const checkpoint = m.connectors.find(
      (s) =>
        s.name === 'kingbridge_source_checkpoint_timestamp_seconds' &&
        s.labels.stream === stream,
    );
    const published = sumOf(
      m.connectors,
      'kingbridge_source_records_published_total',
      { stream },
    );
    return {
      flow: p.id,
      fetched:
        published +
        sumOf(m.connectors, 'kingbridge_source_records_deduplicated_total', {
          stream,
        }),
      published,
      mapped: sumOf(m.transform, 'kingbridge_transform_records_total', {
        flow: p.id,
        outcome: 'out',
      }),
      written: sumOf(m.exporter, 'kingbridge_documents_total', {
        flow: p.id,
        outcome: 'written',
      }),
      failed:
        sumOf(m.exporter, 'kingbridge_documents_total', {
          flow: p.id,
          outcome: 'dead_lettered',
        }) +
        sumOf(m.transform, 'kingbridge_transform_records_total', {
          flow: p.id,
          outcome: 'failed',
        }),
      lag:
        sumOf(m.transform, 'kingbridge_kafka_consumer_lag', {
          topic: rawTopicOf(p),
        }) +
        sumOf(m.sink, 'kingbridge_kafka_consumer_lag', {
          topic: `erp.kingdee.${p.target.system}.outbound.v1`,
        }),
      freshnessSeconds:
        checkpoint && checkpoint.value > 0
          ? Math.max(0, nowSeconds - checkpoint.value)
          : undefined,
    };
  });
}

function rawTopicOf(p: SyncPlan): string {
  return rawTopic(p.source.platform, p.source.entity);
}

/** A compact fixed-width table for the console. */
export function renderTable(rows: readonly FlowRow[]): string {
  const header = [
    'flow',
    'fetched',
    'published',
    'mapped',
    'written',
    'failed',
    'lag',
    'freshness',
  ];
  const body = rows.map((r) => [
    r.flow,
    String(r.fetched),
    String(r.published),
    String(r.mapped),
    String(r.written),
    String(r.failed),
    String(r.lag),
    r.freshnessSeconds === undefined
      ? '-'
      : `${Math.round(r.freshnessSeconds)}s`,
  ]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...body.map((b) => (b[i] as string).length)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((c, i) =>
        i === 0
          ? c.padEnd(widths[i] as number)
          : c.padStart(widths[i] as number),
      )
      .join('  ');
  return [line(header), ...body.map(line)].join('\n');
}
