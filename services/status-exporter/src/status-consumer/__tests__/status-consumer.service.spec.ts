import { statusEventSchema, type StatusEvent } from '@kingbridge/contracts';
import type { ConsumedMessage } from '@kingbridge/kafka';
import { ServiceContext } from '@kingbridge/kafka-nest';
import { createLogger, ReadinessRegistry } from '@kingbridge/observability';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { statusExporterConfigSchema } from '../../status-exporter.config';
import { StatusMetrics } from '../../status-metrics/status-metrics.service';
import { StatusConsumerService } from '../status-consumer.service';

function message(
  value: StatusEvent,
  offset: number,
): ConsumedMessage<StatusEvent> {
  return {
    topic: 'erp.kingdee.write-status.v1',
    partition: 0,
    offset: String(offset),
    key: value.documentKey,
    value,
    headers: {},
    timestamp: '0',
    attempt: 1,
    raw: { key: null, value: null, headers: {} },
  };
}

describe('StatusConsumerService', () => {
  it('should record every event and mark each message done when a batch is handled', async () => {
    const registry = new Registry();
    const metrics = new StatusMetrics({ registry });
    const service = new StatusConsumerService(
      statusExporterConfigSchema.parse({}),
      metrics,
      new ServiceContext(
        createLogger('status-exporter', 'silent'),
        registry,
        new ReadinessRegistry(),
      ),
    );
    const events = [0, 1, 2].map((i) =>
      statusEventSchema.parse({
        schemaVersion: 1,
        flow: 'xiaoman-orders-to-k3wise-so',
        documentKey: `k3wise:/SO/Save:SO-${i}`,
        target: 'k3wise',
        formId: '/SO/Save',
        billNo: `SO-${i}`,
        outcome: 'written',
        attempts: 1,
        latencyMs: 1_000,
        sourceIds: [],
        at: '2026-11-22T08:00:00.000Z',
      }),
    );

    const outcomes = service.handle(events.map((e, i) => message(e, i)));

    expect(outcomes).toEqual([
      { kind: 'done' },
      { kind: 'done' },
      { kind: 'done' },
    ]);
    expect(await registry.metrics()).toContain(
      'kingbridge_documents_total{flow="xiaoman-orders-to-k3wise-so",target="k3wise",form="/SO/Save",outcome="written"} 3',
    );
  });
});
