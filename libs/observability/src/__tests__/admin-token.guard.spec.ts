import 'reflect-metadata';
import {
  Controller,
  Get,
  Module,
  UseGuards,
  type INestApplication,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdminTokenGuard,
  NestLoggerAdapter,
  ObservabilityModule,
  createLogger,
  createMetricsRegistry,
  tokensMatch,
} from '../index';

const TOKEN = 'guard-spec-token-0123456789abcdef';

@Controller('admin')
@UseGuards(AdminTokenGuard)
class PingAdminController {
  @Get('ping')
  ping(): { pong: true } {
    return { pong: true };
  }
}

async function startApp(
  adminToken: string | undefined,
  logLines: string[],
): Promise<{ app: INestApplication; baseUrl: string }> {
  @Module({
    imports: [
      ObservabilityModule.forRoot({
        service: 'guard-test',
        registry: createMetricsRegistry('guard-test'),
        ...(adminToken ? { adminToken } : {}),
      }),
    ],
    controllers: [PingAdminController],
  })
  class AppModule {}
  const sink = new Writable({
    write(chunk: Buffer, _enc, done): void {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  });
  const app = await NestFactory.create(AppModule, {
    logger: new NestLoggerAdapter(createLogger('guard-test', 'debug', sink)),
  });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, baseUrl: `http://127.0.0.1:${port}` };
}

describe('AdminTokenGuard with ADMIN_TOKEN configured', () => {
  const logLines: string[] = [];
  let app: INestApplication;
  let baseUrl: string;

  beforeAll(async () => {
    ({ app, baseUrl } = await startApp(TOKEN, logLines));
  });
  afterAll(async () => {
    await app?.close();
  });

  it('should answer 401 with a JSON body when no token is sent', async () => {
    const res = await fetch(`${baseUrl}/admin/ping`);

    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ statusCode: 401 });
  });

  it('should answer 401 without echoing anything when the token is wrong', async () => {
    const wrong = `${TOKEN.slice(0, -1)}X`;
    const res = await fetch(`${baseUrl}/admin/ping`, {
      headers: { authorization: `Bearer ${wrong}` },
    });
    const body = await res.text();

    expect(res.status).toBe(401);
    expect(body).not.toContain(wrong);
    expect(body).not.toContain(TOKEN);
  });

  it('should answer 401 when the token is sent without the Bearer scheme', async () => {
    const res = await fetch(`${baseUrl}/admin/ping`, {
      headers: { authorization: TOKEN },
    });

    expect(res.status).toBe(401);
  });

  it('should answer 200 when the right bearer token is sent', async () => {
    const res = await fetch(`${baseUrl}/admin/ping`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });

    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ pong: true });
  });

  it('should leave /health and /metrics open when admin endpoints are guarded', async () => {
    expect((await fetch(`${baseUrl}/health/live`)).status).toBe(200);
  });

  it('should never write the token into a log line', () => {
    expect(logLines.join('')).not.toContain(TOKEN);
    expect(logLines.join('')).not.toContain('admin endpoints are disabled');
  });
});

describe('AdminTokenGuard without ADMIN_TOKEN', () => {
  const logLines: string[] = [];
  let app: INestApplication;
  let baseUrl: string;

  beforeAll(async () => {
    ({ app, baseUrl } = await startApp(undefined, logLines));
  });
  afterAll(async () => {
    await app?.close();
  });

  it('should answer 401 even with a bearer token when no token is configured', async () => {
    const res = await fetch(`${baseUrl}/admin/ping`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });

    expect(res.status).toBe(401);
  });

  it('should warn that admin endpoints are disabled when no token is configured', () => {
    const warn = logLines
      .map((l) => JSON.parse(l) as { level: unknown; msg?: string })
      .find((l) => l.msg?.includes('admin endpoints are disabled'));

    expect(warn).toBeDefined();
  });
});

describe('tokensMatch', () => {
  it('should compare tokens of different lengths without throwing', () => {
    expect(tokensMatch('short', TOKEN)).toBe(false);
    expect(tokensMatch(TOKEN, TOKEN)).toBe(true);
    expect(tokensMatch(`${TOKEN}x`, TOKEN)).toBe(false);
  });
});
