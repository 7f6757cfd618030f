import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  baseConfigSchema,
  kafkaSecurityConfigSchema,
  kafkaSecurityOf,
  loadConfig,
} from '../index';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----';

const security = (env: Record<string, string>) =>
  kafkaSecurityOf(loadConfig(kafkaSecurityConfigSchema, env));

function issues(env: Record<string, string>): string[] {
  try {
    security(env);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.issues];
    throw err;
  }
  return [];
}

describe('Kafka security settings', () => {
  it('should default to PLAINTEXT, with neither SASL nor TLS', () => {
    expect(security({})).toEqual({ protocol: 'PLAINTEXT' });
  });

  it('should build SASL_SSL with SCRAM (mechanism spelled either way) and a CA', () => {
    expect(
      security({
        KAFKA_SECURITY_PROTOCOL: 'sasl_ssl',
        KAFKA_SASL_MECHANISM: 'scram_sha_512',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'p-secret',
        KAFKA_SSL_CA: CA,
      }),
    ).toEqual({
      protocol: 'SASL_SSL',
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'u', password: 'p-secret' },
      tls: { ca: CA, rejectUnauthorized: true },
    });
  });

  it('should name each missing or misplaced variable, never a value', () => {
    expect(
      issues({
        KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT',
        KAFKA_SASL_PASSWORD: 'p-secret',
      }),
    ).toEqual([
      'KAFKA_SASL_MECHANISM: required when KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT',
      'KAFKA_SASL_USERNAME: required when KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT',
    ]);
    expect(issues({ KAFKA_SSL_CA: CA })[0]).toMatch(
      /^KAFKA_SSL_CA: TLS material is set but KAFKA_SECURITY_PROTOCOL=PLAINTEXT/,
    );
    expect(
      issues({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CERT: CA }),
    ).toEqual(['KAFKA_SSL_KEY: required with KAFKA_SSL_CERT (mutual TLS)']);
    expect(
      issues({
        KAFKA_SECURITY_PROTOCOL: 'SSL',
        KAFKA_SSL_CA: 'not pem',
        KAFKA_SSL_CERT: CA,
        KAFKA_SSL_KEY: KEY,
      }),
    ).toEqual([
      'KAFKA_SSL_CA: not a PEM certificate (expected -----BEGIN CERTIFICATE-----)',
    ]);
    expect(() =>
      loadConfig(kafkaSecurityConfigSchema, { KAFKA_SASL_MECHANISM: 'GSSAPI' }),
    ).toThrow(/KAFKA_SASL_MECHANISM/);
  });

  it("should be part of every service's base schema, so a bad value stops the service at start", () => {
    expect(() =>
      loadConfig(baseConfigSchema, { KAFKA_SECURITY_PROTOCOL: 'TLS' }),
    ).toThrow(/KAFKA_SECURITY_PROTOCOL/);
    expect(loadConfig(baseConfigSchema, {}).KAFKA_SECURITY_PROTOCOL).toBe(
      'PLAINTEXT',
    );
  });
});
