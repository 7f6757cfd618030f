import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, loadConfig } from '@kingbridge/config';
import { describe, expect, it } from 'vitest';
import { transformConfigSchema } from '../transform.config';

function parseEnvFile(path: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1] as string] = m[2] as string;
  }
  return env;
}

describe('transform config', () => {
  const example = parseEnvFile(resolve(__dirname, '../../.env.example'));

  it('should accept .env.example and name every variable of the schema when parsed', () => {
    const config = loadConfig(transformConfigSchema, example);
    expect(config.HTTP_PORT).toBe(19410);
    expect(config.TRANSFORM_GROUP_ID).toBe('transform');
    // Every variable of the schema is documented in the example (set or commented out).
    const text = readFileSync(resolve(__dirname, '../../.env.example'), 'utf8');
    const own = Object.keys(transformConfigSchema.shape).filter(
      (k) => !['NODE_ENV', 'KAFKA_CLIENT_ID', 'ADMIN_TOKEN'].includes(k),
    );
    expect(
      own.filter((k) => !new RegExp(`^#? ?${k}=`, 'm').test(text)),
    ).toEqual([]);
  });

  it('should use the pinned defaults when nothing is set', () => {
    const config = loadConfig(transformConfigSchema, {});
    expect(config).toMatchObject({
      HTTP_PORT: 19410,
      PLANS_DIR: 'plans',
      TRANSFORM_GROUP_ID: 'transform',
      WINDOW_TICK_MS: 5000,
      LOOKUP_CACHE_TTL_MS: 60_000,
    });
    expect(config.MERGE_WINDOW_SIZE).toBeUndefined();
  });

  it('should reject a merge override that is not a duration, naming the variable', () => {
    expect(() =>
      loadConfig(transformConfigSchema, { MERGE_GRACE: 'soon' }),
    ).toThrow(ConfigError);
    expect(() =>
      loadConfig(transformConfigSchema, { MERGE_GRACE: 'soon' }),
    ).toThrow(/MERGE_GRACE/);
  });
});
