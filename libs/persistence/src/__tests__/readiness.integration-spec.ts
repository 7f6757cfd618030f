import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterAll, describe, expect, it } from 'vitest';
import { ObservabilityModule, createLogger } from '@kingbridge/observability';
import { pollUntil } from '@kingbridge/testing';
import {
  DatabaseConnection,
  PersistenceModule,
  dropDatabase,
  ensureDatabase,
  withDatabase,
} from '../index';

const BASE_URL =
  process.env['DATABASE_URL'] ??
  'postgres://postgres@127.0.0.1:5432/kingbridge_test';

describe('PersistenceModule readiness on a Nest app', () => {
  const url = withDatabase(
    BASE_URL,
    `kb_readiness_${randomBytes(5).toString('hex')}`,
  );
  const logLines: string[] = [];
  const logger = createLogger(
    'readiness-test',
    'info',
    new Writable({
      write(chunk: Buffer, _enc, done): void {
        logLines.push(chunk.toString());
        done();
      },
    }),
  );
  let app: INestApplication | undefined;

  afterAll(async () => {
    await app?.close();
    await dropDatabase(url);
  });

  it('should report postgres not ready with a reason until the database exists, then ready', async () => {
    @Module({
      imports: [
        ObservabilityModule.forRoot({ service: 'readiness-test' }),
        PersistenceModule.forRoot({
          url,
          schema: 'readiness_test',
          logger,
          policy: {
            initialMs: 20,
            multiplier: 2,
            factor: 0,
            maxMs: 100,
            attempts: Number.POSITIVE_INFINITY,
          },
        }),
      ],
    })
    class AppModule {}
    app = await NestFactory.create(AppModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    const ready = `http://127.0.0.1:${port}/health/ready`;

    const before = await fetch(ready);
    const body = (await before.json()) as {
      failing: string[];
      checks: { name: string; reason?: string }[];
    };
    expect(before.status).toBe(503);
    expect(body.failing).toEqual(['postgres']);
    const retried = await pollUntil(() =>
      logLines
        .map((l) => JSON.parse(l) as { msg?: string; reason?: string })
        .find((l) => l.msg === 'database unreachable, retrying'),
    );
    expect(retried.reason).toMatch(/does not exist/);
    await pollUntil(async () => {
      const res = await fetch(ready);
      const checks = ((await res.json()) as typeof body).checks;
      return checks[0]?.reason?.includes('does not exist');
    });

    await ensureDatabase(url);

    await pollUntil(async () => (await fetch(ready)).status === 200, {
      description: '/health/ready 200 after the database was created',
    });
    const dataSource = await app.get(DatabaseConnection).ready();
    expect(await dataSource.query('SELECT 41 + 1 AS answer')).toEqual([
      { answer: 42 },
    ]);
  });
});
