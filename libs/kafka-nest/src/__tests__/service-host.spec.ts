import 'reflect-metadata';
import { PassThrough } from 'node:stream';
import { createLogger } from '@kingbridge/observability';
import { Controller, Get, Module } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { startNestService } from '../service-host';

@Controller()
class PingController {
  @Get('ping')
  ping(): { ok: boolean } {
    return { ok: true };
  }
}

@Module({ controllers: [PingController] })
class PingModule {}

describe('startNestService', () => {
  it('should serve the module on the bound port and say that port in one structured start line', async () => {
    const out = new PassThrough();
    const lines: string[] = [];
    out.on('data', (b: Buffer) => lines.push(...b.toString().split('\n')));
    const logger = createLogger('host-test', 'info', out);
    const app = await startNestService({
      logger,
      module: { module: PingModule },
      port: 0,
      host: '127.0.0.1',
      fields: { topic: 'demo.v1' },
    });
    try {
      const port = (app.getHttpServer().address() as { port: number }).port;
      const res = await fetch(`http://127.0.0.1:${port}/ping`);
      expect(await res.json()).toEqual({ ok: true });
      const start = lines
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l['msg'] === 'http listening');
      expect(start).toMatchObject({ port, topic: 'demo.v1' });
    } finally {
      await app.close();
    }
  });
});
