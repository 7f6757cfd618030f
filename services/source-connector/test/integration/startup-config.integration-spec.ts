import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../../..');

function runMain(
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        resolve(ROOT, 'services/source-connector/src/main.ts'),
      ],
      {
        cwd: ROOT,
        // Only what the test sets: no credentials leak in from the environment.
        env: { PATH: process.env['PATH'] ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('exit', (code) => done({ code, output }));
  });
}

describe('start-up with bad configuration', () => {
  it('should exit 1 naming the missing credential when CONNECTOR_ID=wdt lacks WDT_SID', async () => {
    const { code, output } = await runMain({
      CONNECTOR_ID: 'wdt',
      WDT_APP_KEY: 'k',
      WDT_APP_SECRET: 'super-secret-value',
    });
    expect(code).toBe(1);
    expect(output).toContain('WDT_SID: required when CONNECTOR_ID=wdt');
    expect(output).not.toContain('super-secret-value');
  });

  it('should exit 1 naming the field when SOURCE_STREAMS is invalid', async () => {
    const { code, output } = await runMain({
      CONNECTOR_ID: 'jackyun',
      JACKYUN_APP_KEY: 'k',
      JACKYUN_APP_SECRET: 's3cret-value',
      SOURCE_STREAMS: JSON.stringify([
        { id: 'x', platform: 'jackyun', entity: 'stockout-order-typo' },
      ]),
    });
    expect(code).toBe(1);
    expect(output).toMatch(/SOURCE_STREAMS: \[0\]\.entity/);
  });
});
