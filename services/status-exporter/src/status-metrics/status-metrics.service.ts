import type { StatusEvent } from '@kingbridge/contracts';
import {
  counter,
  defineMetrics,
  gauge,
  histogram,
} from '@kingbridge/observability';
import type { Registry } from 'prom-client';
import { BoundedLabel } from './bounded-label.util';
import {
  FLOW_LABEL_PATTERN,
  FORM_LABEL_PATTERN,
  LATENCY_BUCKETS_SECONDS,
  MAX_FLOW_LABEL_VALUES,
  MAX_FORM_LABEL_VALUES,
} from './status-metrics.constant';

export const DOCUMENTS_TOTAL = 'kingbridge_documents_total';
export const DOCUMENT_ERRORS_TOTAL = 'kingbridge_document_errors_total';
export const DOCUMENT_CHANGES_TOTAL = 'kingbridge_document_changes_total';
export const SOURCE_TO_KINGDEE_LATENCY_SECONDS =
  'kingbridge_source_to_kingdee_latency_seconds';
export const FLOW_LAST_SUCCESS_TIMESTAMP_SECONDS =
  'kingbridge_flow_last_success_timestamp_seconds';

export interface StatusMetricsOptions {
  readonly registry: Registry;
  readonly maxFlows?: number;
  readonly maxForms?: number;
  /** Called once per label whose first overflow happens (for a warn log). */
  readonly onLabelOverflow?: (label: string, value: string) => void;
}

/**
 * Turns write-status events into the status exporter's metrics. Labels come
 * only from bounded sets: flow and form go through BoundedLabel, target,
 * outcome and error class are zod enums. No document key, bill number or
 * Kingdee id ever becomes a label.
 *
 * The status topic is at-least-once: a redelivered event is counted again.
 * Rates are what dashboards and alerts use, so a rare double count is harmless.
 */
export class StatusMetrics {
  private readonly metrics: ReturnType<typeof statusMetrics>;
  private readonly lastSuccessByFlow = new Map<string, number>();
  private readonly flows: BoundedLabel;
  private readonly forms: BoundedLabel;
  private readonly overflowReported = new Set<string>();

  constructor(private readonly options: StatusMetricsOptions) {
    this.metrics = statusMetrics(options.registry);
    this.flows = new BoundedLabel(
      'flow',
      options.maxFlows ?? MAX_FLOW_LABEL_VALUES,
      FLOW_LABEL_PATTERN,
    );
    this.forms = new BoundedLabel(
      'form',
      options.maxForms ?? MAX_FORM_LABEL_VALUES,
      FORM_LABEL_PATTERN,
    );
  }

  /** Updates every metric for one event. */
  record(event: StatusEvent): void {
    const flow = this.bounded(this.flows, event.flow);
    const form = this.bounded(this.forms, event.formId);
    const target = event.target;
    this.metrics.documents.inc({ flow, target, form, outcome: event.outcome });
    if (event.change !== undefined)
      this.metrics.changes.inc({
        flow,
        target,
        change: event.change,
        outcome: event.outcome,
      });

    switch (event.outcome) {
      case 'written':
        if (event.latencyMs !== undefined) {
          this.metrics.latency.observe({ flow }, event.latencyMs / 1000);
        }
        this.markSuccess(flow, event.at);
        break;
      case 'updated':
      case 'reversed':
        // A change after write applied to Kingdee (plan rule update / reverse): a write.
        this.markSuccess(flow, event.at);
        break;
      case 'dead_lettered':
      case 'changed_after_write':
      case 'retrying':
        this.metrics.errors.inc({
          flow,
          target,
          error_class: event.errorClass ?? 'unknown',
        });
        break;
      case 'duplicate_skipped':
        // Already in Kingdee: counted in documents_total, not a new success.
        break;
      default:
        assertNever(event.outcome);
    }
  }

  recordAll(events: Iterable<StatusEvent>): void {
    for (const event of events) this.record(event);
  }

  private markSuccess(flow: string, at: string): void {
    const seconds = Date.parse(at) / 1000;
    const previous = this.lastSuccessByFlow.get(flow);
    // Events of one flow arrive out of order across partitions: keep the newest.
    if (previous !== undefined && previous >= seconds) return;
    this.lastSuccessByFlow.set(flow, seconds);
    this.metrics.lastSuccess.set({ flow }, seconds);
  }

  private bounded(label: BoundedLabel, raw: string): string {
    const value = label.value(raw);
    if (value !== raw && !this.overflowReported.has(label.name)) {
      this.overflowReported.add(label.name);
      this.options.onLabelOverflow?.(label.name, raw);
    }
    return value;
  }
}

/** The status exporter's metrics (names pinned in CONTRIBUTING.md; bounded labels only). */
function statusMetrics(registry: Registry) {
  return defineMetrics(registry, {
    documents: counter(
      DOCUMENTS_TOTAL,
      ['flow', 'target', 'form', 'outcome'],
      'Outbound documents by final or intermediate write outcome, from the status topic',
    ),
    errors: counter(
      DOCUMENT_ERRORS_TOTAL,
      ['flow', 'target', 'error_class'],
      'Failed document writes (dead-lettered or retrying) by error class, from the status topic',
    ),
    changes: counter(
      DOCUMENT_CHANGES_TOTAL,
      ['flow', 'target', 'change', 'outcome'],
      'Documents about a source record that changed after it was written (corrected: a delta document of a merged window; changed_after_write: held as a dead letter with both versions), from the status topic',
    ),
    latency: histogram(
      SOURCE_TO_KINGDEE_LATENCY_SECONDS,
      ['flow'],
      'Time from source fetch to the Kingdee write, per written document',
      LATENCY_BUCKETS_SECONDS,
    ),
    lastSuccess: gauge(
      FLOW_LAST_SUCCESS_TIMESTAMP_SECONDS,
      ['flow'],
      'Unix time (s) of the newest document written to Kingdee per flow',
    ),
  });
}

function assertNever(value: never): never {
  throw new Error(`unexpected outcome ${String(value)}`);
}
