import { describe, expect, it } from 'vitest';
import {
  kafkaSecurityConfigSchema,
  kafkaSecurityOf,
  kafkaSecurityProtocolSchema,
  loadConfig,
} from '../index';

const SASL = {
  KAFKA_SASL_MECHANISM: 'PLAIN',
  KAFKA_SASL_USERNAME: 'u',
  KAFKA_SASL_PASSWORD: 'p-secret',
};

describe('Kafka security protocols', () => {
  it.each([
    ['PLAINTEXT', {}, false, false],
    ['SSL', {}, false, true],
    ['SASL_PLAINTEXT', SASL, true, false],
    ['SASL_SSL', SASL, true, true],
  ] as const)(
    'should give the client SASL and TLS settings as %s uses them when it is the protocol',
    (protocol, extra, sasl, tls) => {
      // Arrange
      const env = { KAFKA_SECURITY_PROTOCOL: protocol, ...extra };

      // Act
      const security = kafkaSecurityOf(
        loadConfig(kafkaSecurityConfigSchema, env),
      );

      // Assert
      expect(security.protocol).toBe(protocol);
      expect(security.sasl !== undefined).toBe(sasl);
      expect(security.tls !== undefined).toBe(tls);
    },
  );

  it('should list every protocol, in Kafka order, when describing the variables', () => {
    // Arrange
    const field = kafkaSecurityConfigSchema.shape.KAFKA_SECURITY_PROTOCOL;

    // Act
    const options = kafkaSecurityProtocolSchema.options;

    // Assert
    expect(options).toEqual(['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL']);
    expect(field.description).toBe(
      'PLAINTEXT | SSL | SASL_PLAINTEXT | SASL_SSL',
    );
    expect(kafkaSecurityProtocolSchema.safeParse('SASL').success).toBe(false);
    expect(
      kafkaSecurityConfigSchema.shape.KAFKA_SASL_MECHANISM.description,
    ).toBe('PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512 (SASL_* protocols)');
  });
});
