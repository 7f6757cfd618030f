import 'reflect-metadata';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MetricDefinitionError,
  ObservabilityModule,
  ReadinessRegistry,
  createMetricsRegistry,
  defineCounter,
  defineGauge,
  defineHistogram,
} from '../index';

describe('ObservabilityModule on a minimal Nest app', () => {
  const registry = createMetricsRegistry('observability-test');
  const state = { postgresUp: false, kafkaUp: true };
  let app: INestApplication;
  let baseUrl: string;

  beforeAll(async () => {
    @Module({
      imports: [
        ObservabilityModule.forRoot({
          service: 'observability-test',
          registry,
          readinessChecks: [
            {
              name: 'kafka',
              check: async () => ({
                ready: state.kafkaUp,
                reason: 'broker down',
              }),
            },
            { name: 'postgres', check: async () => state.postgresUp },
          ],
        }),
      ],
    })
    class AppModule {}

    app = await NestFactory.create(AppModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${address.port}`;
  });

  afterAll(async () => {
    await app?.close();
  });

  it('should expose prometheus text with kingbridge metrics when /metrics is scraped', async () => {
    defineCounter(registry, {
      name: 'kingbridge_test_events_total',
      help: 'events seen by the test',
      labelNames: ['outcome'],
    }).inc({ outcome: 'ok' }, 3);

    const res = await fetch(`${baseUrl}/metrics`);
    const body = await res.text();

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(body).toContain('# TYPE kingbridge_test_events_total counter');
    expect(body).toMatch(
      /kingbridge_test_events_total\{outcome="ok",service="observability-test"\} 3/,
    );
    expect(body).toContain('process_cpu_user_seconds_total');
  });

  it('should answer 200 on /health/live when the process runs', async () => {
    const res = await fetch(`${baseUrl}/health/live`);

    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it('should answer 503 naming the failing check when a readiness check fails', async () => {
    state.postgresUp = false;

    const res = await fetch(`${baseUrl}/health/ready`);

    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      status: 'not_ready',
      failing: ['postgres'],
    });
  });

  it('should report the reason when a check returns a not-ready result object', async () => {
    state.postgresUp = true;
    state.kafkaUp = false;

    const res = await fetch(`${baseUrl}/health/ready`);
    const body = (await res.json()) as {
      failing: string[];
      checks: { name: string; reason?: string }[];
    };
    state.kafkaUp = true;

    expect(res.status).toBe(503);
    expect(body.failing).toEqual(['kafka']);
    expect(body.checks).toContainEqual({
      name: 'kafka',
      ok: false,
      reason: 'broker down',
    });
  });

  it('should answer 200 on /health/ready when every check passes', async () => {
    state.postgresUp = true;

    const res = await fetch(`${baseUrl}/health/ready`);

    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ready', failing: [] });
  });

  it('should include checks registered later through the injected ReadinessRegistry', async () => {
    state.postgresUp = true;
    app.get(ReadinessRegistry).register({
      name: 'source-login',
      check: () => {
        throw new Error('invalid credentials');
      },
    });

    const res = await fetch(`${baseUrl}/health/ready`);
    const body = (await res.json()) as {
      failing: string[];
      checks: { name: string; reason?: string }[];
    };

    expect(res.status).toBe(503);
    expect(body.failing).toEqual(['source-login']);
    expect(body.checks.find((c) => c.name === 'source-login')?.reason).toBe(
      'invalid credentials',
    );
  });
});

describe('metric factory', () => {
  it('should refuse an id label when a metric is defined', () => {
    const registry = createMetricsRegistry('factory-test');

    expect(() =>
      defineCounter(registry, {
        name: 'kingbridge_test_rows_total',
        help: 'rows',
        labelNames: ['flow', 'id'],
      }),
    ).toThrow(MetricDefinitionError);
    expect(() =>
      defineGauge(registry, {
        name: 'kingbridge_test_open',
        help: 'open',
        labelNames: ['billNo'],
      }),
    ).toThrow(/unbounded/);
    expect(() =>
      defineHistogram(registry, {
        name: 'kingbridge_test_seconds',
        help: 'latency',
        labelNames: ['document_key'],
      }),
    ).toThrow(/document_key/);
  });

  it('should enforce the kingbridge_ prefix and the _total suffix when names are wrong', () => {
    const registry = createMetricsRegistry('factory-test');

    expect(() =>
      defineCounter(registry, { name: 'rows_total', help: 'rows' }),
    ).toThrow(/kingbridge_/);
    expect(() =>
      defineCounter(registry, { name: 'kingbridge_rows', help: 'rows' }),
    ).toThrow(/_total/);
    expect(() =>
      defineGauge(registry, { name: 'kingbridge_rows_total', help: 'rows' }),
    ).toThrow(/_total/);
  });

  it('should return the same metric when two modules define the same name', () => {
    const registry = createMetricsRegistry('factory-test');
    const definition = {
      name: 'kingbridge_test_shared_total',
      help: 'shared',
      labelNames: ['flow'] as const,
    };

    const first = defineCounter(registry, definition);
    const second = defineCounter(registry, definition);

    expect(second).toBe(first);
  });

  it('should throw when a name is reused with other labels or another kind', () => {
    const registry = createMetricsRegistry('factory-test');
    defineCounter(registry, {
      name: 'kingbridge_test_clash_total',
      help: 'clash',
      labelNames: ['flow'],
    });

    expect(() =>
      defineCounter(registry, {
        name: 'kingbridge_test_clash_total',
        help: 'clash',
        labelNames: ['target'],
      }),
    ).toThrow(/already registered with labels/);
    defineGauge(registry, { name: 'kingbridge_test_level', help: 'g' });
    expect(() =>
      defineHistogram(registry, { name: 'kingbridge_test_level', help: 'h' }),
    ).toThrow(/another kind/);
  });
});
