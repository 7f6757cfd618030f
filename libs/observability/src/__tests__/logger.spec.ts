import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { registerSecret } from '@kingbridge/config';
import { NestLoggerAdapter, createLogger } from '../index';

function captureLines(): {
  stream: Writable;
  lines: () => Record<string, unknown>[];
  raw: () => string;
} {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done): void {
      chunks.push(chunk.toString());
      done();
    },
  });
  const raw = (): string => chunks.join('');
  return {
    stream,
    raw,
    lines: () =>
      raw()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  it('should redact a registered secret from a line when it appears in a message or a field', () => {
    const secret = `s3cr3t-${Math.random().toString(36).slice(2)}`;
    registerSecret(secret);
    const out = captureLines();
    const logger = createLogger('logger-test', 'info', out.stream);

    logger.warn(
      { url: `https://api.example/?appsecret=${secret}` },
      `login failed for ${secret}`,
    );

    expect(out.raw()).not.toContain(secret);
    const [line] = out.lines();
    expect(line).toMatchObject({
      level: 'warn',
      service: 'logger-test',
      msg: 'login failed for ***',
      url: 'https://api.example/?appsecret=***',
    });
  });

  it('should censor secret-looking keys when they are not registered', () => {
    const out = captureLines();
    const logger = createLogger('logger-test', 'info', out.stream);

    logger.info(
      { request: { token: 'unregistered-token-value' }, password: 'pw-value' },
      'call',
    );

    expect(out.raw()).not.toContain('unregistered-token-value');
    expect(out.raw()).not.toContain('pw-value');
  });

  it('should write one JSON object per line with ISO time', () => {
    const out = captureLines();
    const logger = createLogger('logger-test', 'debug', out.stream);

    logger.info({ flow: 'orders' }, 'first');
    logger.debug('second');

    const lines = out.lines();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ flow: 'orders', msg: 'first' });
    expect(String(lines[0]?.['time'])).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});

describe('NestLoggerAdapter', () => {
  it('should map Nest calls to JSON lines with context and stack when Nest logs', () => {
    const out = captureLines();
    const adapter = new NestLoggerAdapter(
      createLogger('nest-test', 'info', out.stream),
    );

    adapter.log('listening', 'NestApplication');
    adapter.error('boom', 'Error: boom\n    at x', 'ExceptionsHandler');
    adapter.log('Mapped {/metrics, GET} route', 'RouterExplorer');

    const lines = out.lines();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 'info',
      msg: 'listening',
      context: 'NestApplication',
    });
    expect(lines[1]).toMatchObject({
      level: 'error',
      msg: 'boom',
      context: 'ExceptionsHandler',
      stack: 'Error: boom\n    at x',
    });
  });
});
