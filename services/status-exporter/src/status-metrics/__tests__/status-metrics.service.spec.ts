import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { statusEventSchema, type StatusEvent } from '@kingbridge/contracts';
import { StatusMetrics } from '../status-metrics.service';
import {
  LATENCY_BUCKETS_SECONDS,
  LATENCY_SLO_THRESHOLD_SECONDS,
} from '../status-metrics.constant';

function event(overrides: Partial<StatusEvent> = {}): StatusEvent {
  return statusEventSchema.parse({
    schemaVersion: 1,
    flow: 'jackyun-sales-order-to-k3cloud',
    documentKey: 'k3cloud:SAL_SaleOrder:SO-2026-0001',
    target: 'k3cloud',
    formId: 'SAL_SaleOrder',
    billNo: 'SO-2026-0001',
    outcome: 'written',
    kingdeeId: '100234',
    kingdeeNumber: 'XSDD000123',
    attempts: 1,
    latencyMs: 42_000,
    sourceIds: ['JY-778899'],
    at: '2026-11-22T08:00:00.000Z',
    ...overrides,
  });
}

async function metricsText(
  events: StatusEvent[],
  limits: { maxFlows?: number; maxForms?: number } = {},
): Promise<string> {
  const registry = new Registry();
  const metrics = new StatusMetrics({ registry, ...limits });
  metrics.recordAll(events);
  return registry.metrics();
}

function sampleValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('StatusMetrics', () => {
  it('should count documents by flow, target, form and outcome when events arrive', async () => {
    const text = await metricsText([
      event(),
      event({ billNo: 'SO-2', documentKey: 'k2' }),
      event({ outcome: 'duplicate_skipped', latencyMs: undefined }),
    ]);

    expect(
      sampleValue(
        text,
        'kingbridge_documents_total{flow="jackyun-sales-order-to-k3cloud",target="k3cloud",form="SAL_SaleOrder",outcome="written"}',
      ),
    ).toBe(2);
    expect(
      sampleValue(
        text,
        'kingbridge_documents_total{flow="jackyun-sales-order-to-k3cloud",target="k3cloud",form="SAL_SaleOrder",outcome="duplicate_skipped"}',
      ),
    ).toBe(1);
  });

  it('should count changes after write by kind when correction and changed documents arrive', async () => {
    const text = await metricsText([
      event({ change: 'corrected' }),
      event({ documentKey: 'k3', change: 'corrected' }),
      event({
        documentKey: 'k4',
        outcome: 'changed_after_write',
        change: 'changed_after_write',
        errorClass: 'changed_after_write',
        latencyMs: undefined,
      }),
      event({ documentKey: 'k5' }),
    ]);
    const series = (change: string, outcome: string): string =>
      `kingbridge_document_changes_total{flow="jackyun-sales-order-to-k3cloud",target="k3cloud",change="${change}",outcome="${outcome}"}`;
    expect(sampleValue(text, series('corrected', 'written'))).toBe(2);
    expect(
      sampleValue(text, series('changed_after_write', 'changed_after_write')),
    ).toBe(1);
  });

  it('should count an update in place and a reversal pair under their change when the plan rules apply', async () => {
    const text = await metricsText([
      event({ documentKey: 'k1', outcome: 'updated', change: 'updated' }),
      event({ documentKey: 'k2#r1', outcome: 'reversed', change: 'reversed' }),
      event({ documentKey: 'k2#v2', outcome: 'written', change: 'reversed' }),
    ]);
    const series = (change: string, outcome: string): string =>
      `kingbridge_document_changes_total{flow="jackyun-sales-order-to-k3cloud",target="k3cloud",change="${change}",outcome="${outcome}"}`;
    expect(sampleValue(text, series('updated', 'updated'))).toBe(1);
    expect(sampleValue(text, series('reversed', 'reversed'))).toBe(1);
    expect(sampleValue(text, series('reversed', 'written'))).toBe(1);
    expect(
      sampleValue(
        text,
        'kingbridge_documents_total{flow="jackyun-sales-order-to-k3cloud",target="k3cloud",form="SAL_SaleOrder",outcome="updated"}',
      ),
    ).toBe(1);
  });

  it('should count errors by error class when documents fail or retry', async () => {
    const text = await metricsText([
      event({
        outcome: 'dead_lettered',
        errorClass: 'missing_base_data',
        latencyMs: undefined,
      }),
      event({
        outcome: 'retrying',
        errorClass: 'session_lost',
        latencyMs: undefined,
      }),
      event({ outcome: 'retrying', latencyMs: undefined }),
    ]);

    const flow = 'flow="jackyun-sales-order-to-k3cloud",target="k3cloud"';
    expect(
      sampleValue(
        text,
        `kingbridge_document_errors_total{${flow},error_class="missing_base_data"}`,
      ),
    ).toBe(1);
    expect(
      sampleValue(
        text,
        `kingbridge_document_errors_total{${flow},error_class="session_lost"}`,
      ),
    ).toBe(1);
    expect(
      sampleValue(
        text,
        `kingbridge_document_errors_total{${flow},error_class="unknown"}`,
      ),
    ).toBe(1);
  });

  it('should observe latency in seconds into named buckets when a document is written', async () => {
    const text = await metricsText([
      event({ latencyMs: 42_000 }),
      event({ latencyMs: 400_000 }),
      event({
        outcome: 'dead_lettered',
        errorClass: 'validation',
        latencyMs: 9_000,
      }),
    ]);

    const series = (le: string): string =>
      `kingbridge_source_to_kingdee_latency_seconds_bucket{le="${le}",flow="jackyun-sales-order-to-k3cloud"}`;
    expect(LATENCY_BUCKETS_SECONDS).toContain(LATENCY_SLO_THRESHOLD_SECONDS);
    expect(sampleValue(text, series('30'))).toBe(0);
    expect(sampleValue(text, series('60'))).toBe(1);
    expect(
      sampleValue(text, series(String(LATENCY_SLO_THRESHOLD_SECONDS))),
    ).toBe(1);
    expect(sampleValue(text, series('600'))).toBe(2);
    expect(sampleValue(text, series('+Inf'))).toBe(2);
    expect(
      sampleValue(
        text,
        'kingbridge_source_to_kingdee_latency_seconds_sum{flow="jackyun-sales-order-to-k3cloud"}',
      ),
    ).toBe(442);
  });

  it('should keep the newest success time per flow when events arrive out of order', async () => {
    const text = await metricsText([
      event({ at: '2026-11-22T08:00:10.000Z' }),
      event({ at: '2026-11-22T08:00:05.000Z' }),
      event({
        outcome: 'dead_lettered',
        errorClass: 'validation',
        at: '2026-11-22T09:00:00.000Z',
      }),
    ]);

    expect(
      sampleValue(
        text,
        'kingbridge_flow_last_success_timestamp_seconds{flow="jackyun-sales-order-to-k3cloud"}',
      ),
    ).toBe(Date.parse('2026-11-22T08:00:10.000Z') / 1000);
  });

  it('should keep Kingdee form ids and API paths as form labels when targets use them', async () => {
    const text = await metricsText([
      event({ target: 'jdy', formId: '/jdy/v2/scm/inv_check_loss_bill' }),
      event({ target: 'k3wise', formId: '/SO/Save' }),
      event({ formId: 'BD_Customer' }),
    ]);

    expect(text).toContain('form="/jdy/v2/scm/inv_check_loss_bill"');
    expect(text).toContain('form="/SO/Save"');
    expect(text).toContain('form="BD_Customer"');
    expect(text).not.toContain('form="other"');
  });

  it('should never expose a document key, bill number or Kingdee id as a label when events carry them', async () => {
    const text = await metricsText([
      event({ flow: 'SO-2026-0001/abc', formId: 'SO 2026 0001' }),
    ]);

    expect(text).not.toContain('SO-2026-0001');
    expect(text).not.toContain('XSDD000123');
    expect(text).not.toContain('100234');
    expect(text).not.toContain('JY-778899');
    expect(text).toContain('flow="other"');
    expect(text).toContain('form="other"');
  });

  it('should cap distinct flows when an attacker-controlled flow name varies per event', async () => {
    const events = Array.from({ length: 500 }, (_, i) =>
      event({ flow: `flow-${i}`, formId: `Form_${i}` }),
    );

    const text = await metricsText(events, { maxFlows: 10, maxForms: 10 });

    const flows = new Set(
      [...text.matchAll(/kingbridge_documents_total\{flow="([^"]+)"/g)].map(
        (m) => m[1],
      ),
    );
    expect(flows.size).toBe(11);
    expect(flows.has('other')).toBe(true);
    expect(
      sampleValue(
        text,
        'kingbridge_documents_total{flow="other",target="k3cloud",form="other",outcome="written"}',
      ),
    ).toBe(490);
  });
});
