import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, loadConfig } from '@kingbridge/config';
import { describe, expect, it } from 'vitest';
import { sourceConnectorConfigSchema } from '../source-connector.config';

function parseEnvFile(path: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}

describe('source-connector config', () => {
  const example = parseEnvFile(resolve(__dirname, '../../.env.example'));

  it('should accept .env.example when every connector is selected', () => {
    for (const id of ['jackyun', 'wdt', 'jushuitan', 'xiaoman']) {
      const config = loadConfig(sourceConnectorConfigSchema, {
        ...example,
        CONNECTOR_ID: id,
      });
      expect(config.CONNECTOR_ID).toBe(id);
    }
  });

  it('should name the missing credential when the selected connector lacks it', () => {
    const env = { ...example, CONNECTOR_ID: 'wdt', WDT_SID: '' };
    expect(() => loadConfig(sourceConnectorConfigSchema, env)).toThrow(
      ConfigError,
    );
    expect(() => loadConfig(sourceConnectorConfigSchema, env)).toThrow(
      /WDT_SID: required when CONNECTOR_ID=wdt/,
    );
  });

  it('should name CONNECTOR_ID when it is unknown', () => {
    expect(() =>
      loadConfig(sourceConnectorConfigSchema, {
        ...example,
        CONNECTOR_ID: 'taobao',
      }),
    ).toThrow(/CONNECTOR_ID/);
  });

  it('should read remediation crons in an IANA zone and refuse an unknown one naming CRON_TIMEZONE', () => {
    expect(
      loadConfig(sourceConnectorConfigSchema, {
        ...example,
        CRON_TIMEZONE: 'Asia/Shanghai',
      }).CRON_TIMEZONE,
    ).toBe('Asia/Shanghai');
    expect(() =>
      loadConfig(sourceConnectorConfigSchema, {
        ...example,
        CRON_TIMEZONE: 'Asia/Nowhere',
      }),
    ).toThrow(/CRON_TIMEZONE: .*unknown time zone "Asia\/Nowhere"/);
  });

  it('should reject a malformed rate limit naming the variable', () => {
    expect(() =>
      loadConfig(sourceConnectorConfigSchema, {
        ...example,
        JUSHUITAN_RATE_LIMIT: 'fast',
      }),
    ).toThrow(/JUSHUITAN_RATE_LIMIT/);
  });
});
