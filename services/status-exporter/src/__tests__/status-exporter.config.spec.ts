import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@kingbridge/config';
import { statusExporterConfigSchema } from '../status-exporter.config';

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

describe('statusExporterConfigSchema', () => {
  it('should accept .env.example and match the defaults when loaded', () => {
    const example = parseEnvFile(
      readFileSync(resolve(__dirname, '../../.env.example'), 'utf8'),
    );

    const fromExample = loadConfig(statusExporterConfigSchema, example);
    const defaults = loadConfig(statusExporterConfigSchema, {});

    for (const key of Object.keys(example)) {
      expect(Object.keys(statusExporterConfigSchema.shape)).toContain(key);
    }
    expect(fromExample.HTTP_PORT).toBe(19430);
    expect({ ...fromExample, KAFKA_CLIENT_ID: undefined }).toEqual({
      ...defaults,
      KAFKA_CLIENT_ID: undefined,
    });
  });

  it('should name the variable when a value is invalid', () => {
    expect(() =>
      loadConfig(statusExporterConfigSchema, { STATUS_MAX_FLOWS: 'many' }),
    ).toThrow(ConfigError);
    expect(() =>
      loadConfig(statusExporterConfigSchema, { STATUS_FROM_BEGINNING: 'yes' }),
    ).toThrow(/STATUS_FROM_BEGINNING/);
  });
});
