import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ConfigError,
  DEFAULT_DATABASE_URL,
  DEFAULT_KAFKA_BROKERS,
  baseConfigSchema,
  loadConfig,
  redactSecrets,
  resolveFileVariables,
  secretSchema,
} from '../index';

const dir = mkdtempSync(join(tmpdir(), 'kb-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function secretFile(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const serviceSchema = baseConfigSchema.extend({
  JACKYUN_APP_KEY: z.string().min(1).describe('Jackyun app key'),
  JACKYUN_APP_SECRET: secretSchema,
  POLL_INTERVAL_MS: z.coerce.number().int().positive().default(5_000),
});

describe('loadConfig', () => {
  it('should apply defaults when optional variables are unset or empty', () => {
    const config = loadConfig(serviceSchema, {
      JACKYUN_APP_KEY: 'key-1',
      JACKYUN_APP_SECRET: 'secret-defaults-1',
      LOG_LEVEL: '',
    });

    expect(config.DATABASE_URL).toBe(DEFAULT_DATABASE_URL);
    expect(config.KAFKA_BROKERS).toEqual([DEFAULT_KAFKA_BROKERS]);
    expect(config.LOG_LEVEL).toBe('info');
    expect(config.POLL_INTERVAL_MS).toBe(5_000);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('should name the bad variable when a value is invalid', () => {
    const err = configError(() =>
      loadConfig(serviceSchema, {
        JACKYUN_APP_KEY: 'key-1',
        JACKYUN_APP_SECRET: 'secret-bad-var-1',
        POLL_INTERVAL_MS: 'soon',
        LOG_LEVEL: 'loud',
      }),
    );

    expect(err.message).toMatch(/POLL_INTERVAL_MS: .*\(got "soon"\)/);
    expect(err.message).toMatch(/LOG_LEVEL: .*\(got "loud"\)/);
    expect(err.issues).toHaveLength(2);
  });

  it('should name a missing required variable', () => {
    const err = configError(() =>
      loadConfig(serviceSchema, { JACKYUN_APP_SECRET: 'secret-missing-1' }),
    );

    expect(err.issues).toEqual([expect.stringMatching(/^JACKYUN_APP_KEY: /)]);
  });

  it('should read a secret from its *_FILE variable and register it for redaction', () => {
    const path = secretFile('app-secret', 'file-secret-value-42\n');

    const config = loadConfig(serviceSchema, {
      JACKYUN_APP_KEY: 'key-1',
      JACKYUN_APP_SECRET_FILE: path,
    });

    expect(config.JACKYUN_APP_SECRET).toBe('file-secret-value-42');
    expect(redactSecrets('sign=file-secret-value-42')).toBe('sign=***');
  });

  it('should prefer the file when both NAME and NAME_FILE are set (a mounted Secret overrides a ConfigMap default)', () => {
    const path = secretFile('preferred', 'from-file-value');

    const config = loadConfig(serviceSchema, {
      JACKYUN_APP_KEY: 'key-1',
      JACKYUN_APP_SECRET: 'from-env-value',
      JACKYUN_APP_SECRET_FILE: path,
    });

    expect(config.JACKYUN_APP_SECRET).toBe('from-file-value');
  });

  it('should name the *_FILE variable when its file cannot be read', () => {
    const err = configError(() =>
      loadConfig(serviceSchema, {
        JACKYUN_APP_KEY: 'key-1',
        JACKYUN_APP_SECRET_FILE: join(dir, 'missing'),
      }),
    );

    expect(err.message).toContain('JACKYUN_APP_SECRET_FILE');
    expect(err.message).toContain('ENOENT');
  });

  it('should ignore *_FILE variables the schema does not declare', () => {
    const config = loadConfig(serviceSchema, {
      JACKYUN_APP_KEY: 'key-1',
      JACKYUN_APP_SECRET: 'secret-ignore-1',
      UNRELATED_TOOL_FILE: join(dir, 'does-not-exist'),
    });

    expect(config.JACKYUN_APP_KEY).toBe('key-1');
  });

  it('should never put a secret value in the error text when a secret is invalid', () => {
    const schema = baseConfigSchema.extend({
      SIGNING_MATERIAL: z.string().min(40),
      KINGDEE_PASSWORD: z.string().min(64),
      OKKI_CLIENT_SECRET: z.string().regex(/^[a-f0-9]{32}$/),
    });
    const fileSecret = secretFile('short', 'file-material-31337');
    const env = {
      ADMIN_TOKEN: 'short-token-9',
      KINGDEE_PASSWORD: 'hunter2-password',
      OKKI_CLIENT_SECRET: 'NOT-HEX-okki-secret',
      SIGNING_MATERIAL_FILE: fileSecret,
      DATABASE_URL: 'postgres://kb:db-pass-77@127.0.0.1:port/kingbridge',
    };

    const err = configError(() => loadConfig(schema, env));

    expect(err.issues.map((i) => i.split(':')[0])).toEqual(
      expect.arrayContaining([
        'ADMIN_TOKEN',
        'KINGDEE_PASSWORD',
        'OKKI_CLIENT_SECRET',
        'SIGNING_MATERIAL',
        'DATABASE_URL',
      ]),
    );
    for (const secret of [
      'short-token-9',
      'hunter2-password',
      'NOT-HEX-okki-secret',
      'file-material-31337',
      'db-pass-77',
    ]) {
      expect(err.message).not.toContain(secret);
    }
  });

  it('should register a password inside DATABASE_URL for redaction', () => {
    loadConfig(baseConfigSchema, {
      DATABASE_URL: 'postgres://kb:url-pass-5150@127.0.0.1:5432/kingbridge',
    });

    expect(redactSecrets('connect postgres://kb:url-pass-5150@db')).toBe(
      'connect postgres://kb:***@db',
    );
  });
});

describe('resolveFileVariables', () => {
  it('should resolve only the listed keys when keys are given', () => {
    const path = secretFile('listed', 'listed-value');

    const out = resolveFileVariables(
      { A_FILE: path, B_FILE: join(dir, 'nope') },
      new Set(['A']),
    );

    expect(out['A']).toBe('listed-value');
    expect(out['B']).toBeUndefined();
  });
});
