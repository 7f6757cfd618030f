import { loadConfig } from '@kingbridge/config';
import { statusEventSchema, type StatusEvent } from '@kingbridge/contracts';
import { createProducer, type KafkaProducer } from '@kingbridge/kafka';
import { createLogger } from '@kingbridge/observability';
import {
  createTestTopics,
  expectEventually,
  TEST_KAFKA_BROKERS,
  testKafkaConnection,
  uniqueName,
  waitForMessages,
} from '@kingbridge/testing';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule } from '../../src/app.module';
import { statusExporterConfigSchema } from '../../src/status-exporter.config';

function statusEvent(overrides: Partial<StatusEvent>): StatusEvent {
  return statusEventSchema.parse({
    schemaVersion: 1,
    flow: 'wdt-stockout-order-to-jdy',
    documentKey: `jdy:SAL_OutStock:${uniqueName('CK')}`,
    target: 'jdy',
    formId: 'SAL_OutStock',
    billNo: uniqueName('CK'),
    outcome: 'written',
    attempts: 1,
    latencyMs: 12_500,
    sourceIds: [uniqueName('wdt')],
    at: '2026-11-22T08:30:00.000Z',
    ...overrides,
  });
}

/**
 * Value of the series `name` whose labels are exactly `labels` plus the
 * registry's default `service` label (label order in the text is not fixed).
 */
function sample(
  text: string,
  name: string,
  labels: Record<string, string>,
): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-z_:]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries(
      [...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]),
    );
    if (
      JSON.stringify(sortKeys(got)) ===
      JSON.stringify(sortKeys({ ...labels, service: 'status-exporter' }))
    ) {
      return Number(m[3]);
    }
  }
  return undefined;
}

function sortKeys(
  o: Record<string, string | undefined>,
): Array<[string, string | undefined]> {
  return Object.entries(o).sort(([a], [b]) => a.localeCompare(b));
}

describe('status exporter against a real broker', () => {
  let app: INestApplication;
  let baseUrl: string;
  let topic: string;
  let producer: KafkaProducer;

  beforeAll(async () => {
    [topic] = (await createTestTopics(['write-status'], { partitions: 3 })) as [
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
    baseUrl = `http://127.0.0.1:${port}`;
    producer = createProducer(testKafkaConnection());
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await app?.close();
  });

  it('should turn published status events into bounded metrics on /metrics when consumed', async () => {
    const written = [
      statusEvent({ latencyMs: 12_500, at: '2026-11-22T08:30:00.000Z' }),
      statusEvent({ latencyMs: 420_000, at: '2026-11-22T08:31:00.000Z' }),
    ];
    const failed = statusEvent({
      outcome: 'dead_lettered',
      errorClass: 'missing_base_data',
      errorMessage: '物料编码不存在',
      latencyMs: undefined,
      at: '2026-11-22T09:00:00.000Z',
    });
    const hostile = statusEvent({
      flow: 'SO 2026/0001 <script>',
      billNo: 'SO-2026-0001',
    });

    await producer.sendJson(
      topic,
      statusEventSchema,
      [...written, failed, hostile].map((value) => ({
        key: value.documentKey,
        value,
      })),
    );
    await producer.send(topic, [
      { key: 'broken', value: '{"schemaVersion":1,"flow":"x"}' },
    ]);

    await expectEventually(
      async () => {
        const text = await (await fetch(`${baseUrl}/metrics`)).text();
        const flow = { flow: 'wdt-stockout-order-to-jdy' };
        expect(
          sample(text, 'kingbridge_documents_total', {
            ...flow,
            target: 'jdy',
            form: 'SAL_OutStock',
            outcome: 'written',
          }),
        ).toBe(2);
        expect(
          sample(text, 'kingbridge_documents_total', {
            ...flow,
            target: 'jdy',
            form: 'SAL_OutStock',
            outcome: 'dead_lettered',
          }),
        ).toBe(1);
        expect(
          sample(text, 'kingbridge_document_errors_total', {
            ...flow,
            target: 'jdy',
            error_class: 'missing_base_data',
          }),
        ).toBe(1);
        expect(
          sample(text, 'kingbridge_source_to_kingdee_latency_seconds_bucket', {
            ...flow,
            le: '300',
          }),
        ).toBe(1);
        expect(
          sample(
            text,
            'kingbridge_source_to_kingdee_latency_seconds_count',
            flow,
          ),
        ).toBe(2);
        expect(
          sample(text, 'kingbridge_flow_last_success_timestamp_seconds', flow),
        ).toBe(Date.parse('2026-11-22T08:31:00.000Z') / 1000);
        expect(
          sample(text, 'kingbridge_documents_total', {
            flow: 'other',
            target: 'jdy',
            form: 'SAL_OutStock',
            outcome: 'written',
          }),
        ).toBe(1);
        expect(text).not.toContain('SO-2026-0001');
        expect(text).not.toContain('<script>');
        expect(text).toMatch(
          new RegExp(
            `kingbridge_kafka_dead_letters_total\\{[^}]*topic="${topic}"[^}]*error_class="schema"[^}]*\\} 1`,
          ),
        );
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );

    const deadLetters = await waitForMessages<{
      errorClass: string;
      originalTopic: string;
    }>(`${topic}.dlq`, 1);
    expect(deadLetters[0]?.value).toMatchObject({
      errorClass: 'schema',
      originalTopic: topic,
    });
  });

  it('should answer ready on /health/ready when the consumer has joined', async () => {
    await expectEventually(async () => {
      const res = await fetch(`${baseUrl}/health/ready`);
      expect(res.status).toBe(200);
    });
    const live = await fetch(`${baseUrl}/health/live`);
    expect(live.status).toBe(200);
  });
});
