import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig } from '@kingbridge/config';
import { describe, expect, it } from 'vitest';
import { sinkKingdeeConfigSchema } from '../sink-kingdee.config';
import { kingbridgeArgs } from '../cli';

function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    env[trimmed.slice(0, eq)] = trimmed.slice(eq + 1);
  }
  return env;
}

describe('sinkKingdeeConfigSchema', () => {
  it('should accept .env.example and know every variable in it', () => {
    const example = parseEnvFile(
      readFileSync(resolve(__dirname, '../../.env.example'), 'utf8'),
    );
    const config = loadConfig(sinkKingdeeConfigSchema, example);
    for (const key of Object.keys(example))
      expect(Object.keys(sinkKingdeeConfigSchema.shape)).toContain(key);
    expect(config.HTTP_PORT).toBe(19420);
    expect(config.SINK_TARGETS).toEqual(['k3cloud', 'jdy', 'k3wise']);
    expect(config.K3CLOUD_BASE_URL).toBe('http://127.0.0.1:18201/k3cloud/');
  });

  it('should read a secret from its *_FILE variable and document every variable in the README', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sink-config-'));
    writeFileSync(join(dir, 'password'), 'from-file-secret\n');
    const config = loadConfig(sinkKingdeeConfigSchema, {
      SINK_TARGETS: 'k3cloud',
      K3CLOUD_PASSWORD_FILE: join(dir, 'password'),
    });
    expect(config.K3CLOUD_PASSWORD).toBe('from-file-secret');
    const readme = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');
    const missing = Object.keys(sinkKingdeeConfigSchema.shape).filter(
      (key) => !readme.includes(key),
    );
    expect(missing).toEqual([]);
  });

  it('should default each tuning variable and refuse one below its minimum', () => {
    const env = { SINK_TARGETS: 'k3wise', K3WISE_AUTHORITY_CODE: 'code' };
    const config = loadConfig(sinkKingdeeConfigSchema, env);
    expect(config.SINK_PARTITIONS_CONCURRENTLY).toBe(6);
    expect(config.SINK_RETRY_BUDGET_MS).toBe(30 * 60_000);
    expect(config.SINK_IN_FLIGHT_GRACE_MS).toBe(30_000);
    expect(
      loadConfig(sinkKingdeeConfigSchema, { ...env, SINK_LINGER_MS: '50' })
        .SINK_LINGER_MS,
    ).toBe(50);
    expect(() =>
      loadConfig(sinkKingdeeConfigSchema, {
        ...env,
        SINK_SESSION_TIMEOUT_MS: '5999',
      }),
    ).toThrow(/SINK_SESSION_TIMEOUT_MS/);
    expect(sinkKingdeeConfigSchema.shape.SINK_RETRY_MAX_MS.description).toBe(
      'retry delay cap',
    );
  });

  it('should name the missing credential when a target is enabled without it', () => {
    expect(() =>
      loadConfig(sinkKingdeeConfigSchema, { SINK_TARGETS: 'k3wise' }),
    ).toThrow(/K3WISE_AUTHORITY_CODE/);
    expect(() =>
      loadConfig(sinkKingdeeConfigSchema, {
        SINK_TARGETS: 'k3cloud',
        K3CLOUD_AUTH_MODE: 'sign',
      }),
    ).toThrow(/K3CLOUD_APP_ID/);
    expect(() =>
      loadConfig(sinkKingdeeConfigSchema, { SINK_TARGETS: 'sap' }),
    ).toThrow(ConfigError);
  });

  it('should run kingbridge dlq on the sink store when given dlq list or replay', () => {
    expect(
      kingbridgeArgs(['dlq', 'replay', '--flow', 'f1', '--id', '3']),
    ).toEqual(['dlq', 'replay', 'sink', '--flow', 'f1', '--id', '3']);
    expect(kingbridgeArgs(['dlq', 'drop'])).toBeUndefined();
    expect(kingbridgeArgs(['list'])).toBeUndefined();
  });
});
