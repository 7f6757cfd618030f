import 'reflect-metadata';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { randomInt } from 'node:crypto';
import { statusEventSchema } from '@kingbridge/contracts';
import { createLogger, NestLoggerAdapter } from '@kingbridge/observability';
import { pollUntil, waitForMessages } from '@kingbridge/testing';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule } from '../../src/app.module';
import { SINK_SERVICE } from '../../src/sink-kingdee.config';
import { SinkHarness, outstockDocument } from './sink.harness';

const TOKEN = 'sink-admin-it-token-5f2c9a7e1b';

describe('sink-kingdee admin HTTP endpoints', () => {
  const logLines: string[] = [];
  const bodies: string[] = [];
  const base = randomInt(1_000_000, 9_000_000);
  let h: SinkHarness;
  let app: INestApplication;
  let baseUrl: string;
  let missing: ReturnType<typeof outstockDocument>;
  let fine: ReturnType<typeof outstockDocument>;

  async function call(
    path: string,
    init: { token?: string; method?: string; body?: unknown } = {},
  ): Promise<{ status: number; json: unknown }> {
    const res = await fetch(`${baseUrl}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.body !== undefined
          ? { 'content-type': 'application/json' }
          : {}),
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    const text = await res.text();
    bodies.push(text);
    return { status: res.status, json: text ? JSON.parse(text) : null };
  }

  beforeAll(async () => {
    h = await SinkHarness.create({}, { ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'info' });
    await h.ensureTopics();
    missing = outstockDocument(h.flow, base, { material: 'SKU-ADMIN-1' });
    fine = outstockDocument(h.flow, base + 1);
    await h.produce([missing, fine]);
    const sink = new Writable({
      write(chunk: Buffer, _enc, done): void {
        logLines.push(chunk.toString('utf8'));
        done();
      },
    });
    const logger = createLogger(SINK_SERVICE, 'info', sink);
    app = await NestFactory.create(AppModule.forRoot(h.config, logger), {
      logger: new NestLoggerAdapter(logger),
    });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${port}`;
    // The sink grows the topics while starting; read status events only once it is ready.
    await pollUntil(
      async () => (await fetch(`${baseUrl}/health/ready`)).status === 200,
      { timeoutMs: 30_000, description: 'sink ready' },
    );
    await waitForMessages(h.statusTopic, 2, {
      schema: statusEventSchema,
      timeoutMs: 30_000,
    });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await h?.close();
  });

  it('should answer 401 on every admin endpoint when no token or a wrong token is sent', async () => {
    const paths = [
      `/admin/dead-letters?flow=${h.flow}`,
      `/admin/ledger/${encodeURIComponent(missing.documentKey)}`,
      `/admin/trace?sourceId=S${base}`,
    ];
    for (const path of paths) {
      expect((await call(path)).status).toBe(401);
      expect((await call(path, { token: `${TOKEN}-wrong` })).status).toBe(401);
    }
    const replay = await call('/admin/replay', {
      method: 'POST',
      body: { flow: h.flow },
      token: 'not-the-admin-token-at-all',
    });
    expect(replay.status).toBe(401);
  });

  it('should list the flow dead letter with its reason when the token is right', async () => {
    const res = await call(
      `/admin/dead-letters?flow=${h.flow}&errorClass=missing_base_data`,
      { token: TOKEN },
    );

    expect(res.status).toBe(200);
    const body = res.json as {
      count: number;
      deadLetters: Array<Record<string, unknown>>;
    };
    expect(body.count).toBe(1);
    expect(body.deadLetters[0]).toMatchObject({
      documentKey: missing.documentKey,
      errorClass: 'missing_base_data',
      errorMessage: expect.stringContaining('SKU-ADMIN-1'),
      sourceIds: [`S${base}`],
    });
  });

  it('should answer 400 naming the field when a query is bad', async () => {
    const since = await call('/admin/dead-letters?since=yesterday', {
      token: TOKEN,
    });
    const unknown = await call('/admin/dead-letters?colour=red', {
      token: TOKEN,
    });
    const trace = await call('/admin/trace', { token: TOKEN });
    const replay = await call('/admin/replay', {
      method: 'POST',
      token: TOKEN,
      body: { flow: h.flow, dryRun: 'yes' },
    });

    expect(since.status).toBe(400);
    expect(since.json).toMatchObject({
      issues: [expect.objectContaining({ path: 'since' })],
    });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.json)).toContain('colour');
    expect(trace.status).toBe(400);
    expect(trace.json).toMatchObject({
      issues: [expect.objectContaining({ path: 'sourceId' })],
    });
    expect(replay.status).toBe(400);
    expect(replay.json).toMatchObject({
      issues: [expect.objectContaining({ path: 'dryRun' })],
    });
  });

  it('should show ledger state, Kingdee number and last error when a document key is asked', async () => {
    const written = await call(
      `/admin/ledger/${encodeURIComponent(fine.documentKey)}`,
      { token: TOKEN },
    );
    const failed = await call(
      `/admin/ledger/${encodeURIComponent(missing.documentKey)}`,
      { token: TOKEN },
    );
    const none = await call(`/admin/ledger/${h.flow}:nothing`, {
      token: TOKEN,
    });

    expect(written.status).toBe(200);
    expect(written.json).toMatchObject({
      documentKey: fine.documentKey,
      state: 'written',
      kingdeeNumber: fine.billNo,
      kingdeeId: expect.any(String),
      attempts: 1,
    });
    expect(failed.status).toBe(200);
    expect(failed.json).toMatchObject({
      state: 'dead_lettered',
      lastErrorClass: 'missing_base_data',
      lastError: expect.stringContaining('SKU-ADMIN-1'),
    });
    expect(none.status).toBe(404);
  });

  it('should trace a source id to its dead letter and ledger document', async () => {
    const res = await call(`/admin/trace?sourceId=S${base}`, {
      token: TOKEN,
    });

    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      sourceId: `S${base}`,
      deadLetters: [
        expect.objectContaining({ documentKey: missing.documentKey }),
      ],
      documents: [
        expect.objectContaining({
          documentKey: missing.documentKey,
          state: 'dead_lettered',
        }),
      ],
    });
  });

  it('should replay the dead letter once over HTTP after the master data is fixed', async () => {
    const dry = await call('/admin/replay', {
      method: 'POST',
      token: TOKEN,
      body: { flow: h.flow, dryRun: true },
    });
    expect(dry.json).toMatchObject({ dryRun: true, count: 1 });
    expect(h.bills()).toHaveLength(1);
    const fixed = await fetch(`${h.sim.url}/__admin/master-data`, {
      method: 'POST',
      body: JSON.stringify({
        formId: 'BD_MATERIAL',
        records: [{ number: 'SKU-ADMIN-1', name: '新品', status: 'C' }],
      }),
    });
    expect(fixed.status).toBe(200);

    const res = await call('/admin/replay', {
      method: 'POST',
      token: TOKEN,
      body: { flow: h.flow, key: missing.documentKey },
    });

    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      dryRun: false,
      count: 1,
      replayed: [expect.objectContaining({ documentKey: missing.documentKey })],
    });
    await pollUntil(() => h.bills().length === 2, {
      timeoutMs: 30_000,
      description: 'replayed bill written',
    });
    const again = await call('/admin/replay', {
      method: 'POST',
      token: TOKEN,
      body: { flow: h.flow },
    });
    expect(again.json).toMatchObject({ count: 0 });
    expect(
      h.bills().every((b) => b.writeCount === 1 && b.duplicateRejections === 0),
    ).toBe(true);
  });

  it('should never put the token in a response or a log line', () => {
    expect(bodies.length).toBeGreaterThan(10);
    expect(bodies.join('\n')).not.toContain(TOKEN);
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('')).not.toContain(TOKEN);
  });
});
