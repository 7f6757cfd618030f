import { counter, defineMetrics, gauge } from '@kingbridge/observability';
import type { Counter, Gauge, Registry } from 'prom-client';

export type RecordOutcomeLabel = 'in' | 'out' | 'filtered' | 'failed';

/** The transform's metrics (CONTRIBUTING.md table); labels are flow ids only. */
export class TransformMetrics {
  readonly records: Counter<'flow' | 'outcome'>;
  readonly late: Counter<'flow'>;
  readonly openWindows: Gauge<'flow'>;
  readonly windowRecords: Gauge<'flow'>;
  readonly watermarkLag: Gauge<'flow'>;

  constructor(registry: Registry) {
    const m = defineMetrics(registry, {
      records: counter(
        'kingbridge_transform_records_total',
        ['flow', 'outcome'],
        'Raw records in per flow, documents out, records filtered, records or windows failed (dead-lettered)',
      ),
      late: counter(
        'kingbridge_transform_late_records_total',
        ['flow'],
        'Records that arrived after their merge window closed (emitted as correction documents)',
      ),
      openWindows: gauge(
        'kingbridge_transform_open_windows',
        ['flow'],
        'Open merge windows per flow (all instances, from Postgres)',
      ),
      windowRecords: gauge(
        'kingbridge_transform_window_records',
        ['flow'],
        'Records held in open merge windows per flow (all instances, from Postgres)',
      ),
      watermarkLag: gauge(
        'kingbridge_transform_watermark_lag_seconds',
        ['flow'],
        'Wall clock minus the merge watermark (max event time seen) per flow',
      ),
    });
    this.records = m.records;
    this.late = m.late;
    this.openWindows = m.openWindows;
    this.windowRecords = m.windowRecords;
    this.watermarkLag = m.watermarkLag;
  }

  /** Pre-creates the series of each flow so dashboards show 0 instead of nothing. */
  init(flows: readonly string[], mergeFlows: readonly string[]): void {
    for (const flow of flows) {
      for (const outcome of ['in', 'out', 'filtered', 'failed'] as const)
        this.records.inc({ flow, outcome }, 0);
    }
    for (const flow of mergeFlows) {
      this.late.inc({ flow }, 0);
      this.openWindows.set({ flow }, 0);
      this.windowRecords.set({ flow }, 0);
    }
  }

  count(flow: string, outcome: RecordOutcomeLabel, n = 1): void {
    this.records.inc({ flow, outcome }, n);
  }
}
