import { join } from 'node:path';
import { loadConfig } from '@kingbridge/config';
import { statusEventSchema, type StatusEvent } from '@kingbridge/contracts';
import { createProducer, type KafkaProducer } from '@kingbridge/kafka';
import { createLogger } from '@kingbridge/observability';
import { statusExporterConfigSchema } from '@kingbridge/status-exporter';
// The exporter's Nest module, booted in-process: its own entry, so the config schema's importers do not load Nest.
import { AppModule } from '@kingbridge/status-exporter/app';
import {
  createTestTopics,
  expectEventually,
  TEST_KAFKA_BROKERS,
  testKafkaConnection,
  uniqueName,
} from '@kingbridge/testing';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allPanelQueries } from '../../grafana/panel-queries';
import {
  loadedRules,
  queryPrometheus,
  resultSize,
  startPrometheus,
  type PrometheusProcess,
} from '../prometheus-api.util';
import { metricNamesInPromql } from '../promql-metrics.util';
import { allRuleExpressions, RULE_FILES, RULES_DIR } from '../rule-expressions';

/*
 * The status exporter scraped by a real Prometheus loaded with the repo's
 * rule files: every rule evaluates without error, every rule expression and
 * dashboard query is accepted by the HTTP API, and the queries built only on
 * what this service exposes return data.
 */

const OWN_METRIC =
  /^(kingbridge_documents_total|kingbridge_document_errors_total|kingbridge_source_to_kingdee_latency_seconds_\w+|kingbridge_flow_last_success_timestamp_seconds|kingbridge_kafka_\w+|up|process_\w+)$/;

/** True when every metric of `expr` (following recording rules) comes from the status exporter. */
function servedByStatusExporter(
  expr: string,
  records: ReadonlyMap<string, string>,
): boolean {
  return metricNamesInPromql(expr).every((name) => {
    const recorded = records.get(name);
    return recorded !== undefined
      ? servedByStatusExporter(recorded, records)
      : OWN_METRIC.test(name);
  });
}

function event(overrides: Partial<StatusEvent>): StatusEvent {
  return statusEventSchema.parse({
    schemaVersion: 1,
    flow: 'jackyun-sales-order-to-k3cloud',
    documentKey: uniqueName('doc'),
    target: 'k3cloud',
    formId: 'SAL_SaleOrder',
    billNo: uniqueName('SO'),
    outcome: 'written',
    attempts: 1,
    latencyMs: 30_000,
    sourceIds: [],
    at: new Date().toISOString(),
    ...overrides,
  });
}

describe('status exporter scraped by Prometheus with the repo rules', () => {
  let app: INestApplication;
  let prometheus: PrometheusProcess;
  let producer: KafkaProducer;
  let topic: string;
  const records = new Map(
    allRuleExpressions()
      .filter((r) => r.kind === 'record')
      .map((r) => [r.name, r.expr] as const),
  );

  beforeAll(async () => {
    [topic] = (await createTestTopics(['write-status'], { partitions: 1 })) as [
      string,
    ];
    const config = loadConfig(statusExporterConfigSchema, {
      KAFKA_BROKERS: TEST_KAFKA_BROKERS.join(','),
      HTTP_PORT: '0',
      LOG_LEVEL: 'error',
      STATUS_TOPIC: topic,
      STATUS_GROUP_ID: uniqueName('status-exporter'),
      STATUS_FROM_BEGINNING: 'true',
    });
    app = await NestFactory.create(
      AppModule.forRoot(config, createLogger('status-exporter', 'error')),
      {
        logger: false,
      },
    );
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    prometheus = await startPrometheus({
      targets: { 'status-exporter': [`127.0.0.1:${port}`] },
      ruleFiles: RULE_FILES.map((f) => join(RULES_DIR, f)),
    });
    producer = createProducer(testKafkaConnection());
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await prometheus?.stop();
    await app?.close();
  });

  it('should evaluate every rule and answer every panel query when status events flow', async () => {
    const send = (values: StatusEvent[]): Promise<unknown> =>
      producer.sendJson(
        topic,
        statusEventSchema,
        values.map((value) => ({ key: value.documentKey, value })),
      );
    await send([
      event({}),
      event({ latencyMs: 600_000 }),
      event({ outcome: 'retrying', errorClass: 'session_lost' }),
    ]);
    await producer.send(topic, [{ key: 'broken', value: 'not json' }]);

    // rate() needs two samples after the series appear: keep events flowing until it has them.
    await expectEventually(
      async () => {
        await send([event({})]);
        const r = await queryPrometheus(
          prometheus.url,
          'sum(rate(kingbridge_documents_total[1m])) > 0',
        );
        expect(resultSize(r)).toBe(1);
        const slo = await queryPrometheus(
          prometheus.url,
          'flow:kingbridge_source_to_kingdee_latency:slow_ratio_rate5m',
        );
        expect(resultSize(slo)).toBeGreaterThan(0);
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );

    const rules = await loadedRules(prometheus.url);
    expect(rules.length).toBe(allRuleExpressions().length);
    for (const rule of rules) {
      expect(rule.lastError ?? '', `${rule.group}/${rule.name}`).toBe('');
      expect(rule.health, `${rule.group}/${rule.name}`).toBe('ok');
    }

    for (const rule of allRuleExpressions()) {
      const r = await queryPrometheus(prometheus.url, rule.expr);
      expect(
        r.status,
        `${rule.name}: ${r.status === 'error' ? r.error : ''}`,
      ).toBe('success');
    }

    const own: string[] = [];
    for (const q of allPanelQueries()) {
      const r = await queryPrometheus(prometheus.url, q.promql);
      expect(
        r.status,
        `${q.dashboardUid}/${q.panelTitle}: ${r.status === 'error' ? r.error : ''}`,
      ).toBe('success');
      if (!q.mayBeEmpty && servedByStatusExporter(q.promql, records)) {
        own.push(q.panelTitle);
        expect(
          resultSize(r),
          `${q.dashboardUid}/${q.panelTitle} returned no data: ${q.promql}`,
        ).toBeGreaterThan(0);
      }
    }
    expect(own.length).toBeGreaterThanOrEqual(10);
  });
});
