import { ConfigError, type Env } from '@kingbridge/config';
import { createLogger } from '@kingbridge/observability';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createKafkaConnection,
  createProducer,
  ensureTopics,
  kafkaSecurityFromEnv,
  readTopic,
  type KafkaConnection,
} from '../index';
import {
  SASL_PASSWORD,
  SASL_USER,
  startSecureBroker,
  type SecureBroker,
} from './fixtures/secure-broker.fixture';

const logger = createLogger('kafka-security-test', 'silent');
let broker: SecureBroker;

beforeAll(async () => {
  broker = await startSecureBroker('kafka-sasl-ssl-test');
});
afterAll(() => broker?.stop());

function connect(brokers: string, env: Env): KafkaConnection {
  return createKafkaConnection({
    brokers: [brokers],
    clientId: 'kb-security-test',
    logger,
    security: kafkaSecurityFromEnv(env),
  });
}

/** Creates a topic, produces one message and reads it back over `connection`. */
async function roundTrip(
  connection: KafkaConnection,
  name: string,
): Promise<string[]> {
  const topic = `security-${name}-${Date.now()}`;
  await ensureTopics(connection, [{ name: topic, partitions: 1 }]);
  const producer = createProducer(connection);
  await producer.connect();
  try {
    await producer.send(topic, [{ key: 'k', value: `hello over ${name}` }]);
  } finally {
    await producer.disconnect();
  }
  const read = await readTopic(connection, topic, {
    count: 1,
    timeoutMs: 20_000,
  });
  return read.map((m) => m.value?.toString() ?? '');
}

describe("Kafka SASL / TLS (a broker of the test's own)", () => {
  it.each(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'])(
    'should produce and consume over SASL_SSL with %s, password and CA from *_FILE',
    async (mechanism) => {
      const connection = connect(broker.saslSsl, {
        KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
        KAFKA_SASL_MECHANISM: mechanism,
        KAFKA_SASL_USERNAME: SASL_USER,
        KAFKA_SASL_PASSWORD_FILE: broker.files.password,
        KAFKA_SSL_CA_FILE: broker.files.ca,
      });
      expect(await roundTrip(connection, mechanism.toLowerCase())).toEqual([
        `hello over ${mechanism.toLowerCase()}`,
      ]);
    },
  );

  it('should be refused with a wrong password or a CA that did not sign the broker', async () => {
    const base = {
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: SASL_USER,
    };
    expect(
      await connect(broker.saslSsl, {
        ...base,
        KAFKA_SASL_PASSWORD: `${SASL_PASSWORD}-wrong`,
        KAFKA_SSL_CA_FILE: broker.files.ca,
      }).ping(),
    ).toBe(false);
    expect(
      await connect(broker.saslSsl, {
        ...base,
        KAFKA_SASL_PASSWORD: SASL_PASSWORD,
        KAFKA_SSL_CA_FILE: broker.files.otherCa,
      }).ping(),
    ).toBe(false);
  });

  it('should authenticate with a client certificate on a listener that requires one', async () => {
    const tls = {
      KAFKA_SECURITY_PROTOCOL: 'SSL',
      KAFKA_SSL_CA_FILE: broker.files.ca,
    };
    const withCert = connect(broker.ssl, {
      ...tls,
      KAFKA_SSL_CERT_FILE: broker.files.clientCert,
      KAFKA_SSL_KEY_FILE: broker.files.clientKey,
    });
    expect(await roundTrip(withCert, 'mtls')).toEqual(['hello over mtls']);
    expect(await connect(broker.ssl, tls).ping()).toBe(false);
  });

  it('should take the settings from the process environment when none are passed (every service and CLI)', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256',
      KAFKA_SASL_USERNAME: SASL_USER,
      KAFKA_SASL_PASSWORD_FILE: broker.files.password,
      KAFKA_SSL_CA_FILE: broker.files.ca,
    });
    try {
      const connection = createKafkaConnection({
        brokers: [broker.saslSsl],
        clientId: 'kb-security-env',
        logger,
      });
      expect(await connection.ping()).toBe(true);
    } finally {
      for (const key of Object.keys(process.env))
        if (!(key in saved)) delete process.env[key];
    }
    // The plaintext client of today cannot talk to that listener.
    expect(
      await createKafkaConnection({
        brokers: [broker.saslSsl],
        clientId: 'kb-security-plain',
        logger,
      }).ping(),
    ).toBe(false);
  });

  it('should name what is missing when SASL is asked for without credentials', () => {
    expect(() =>
      kafkaSecurityFromEnv({ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL' }),
    ).toThrow(ConfigError);
    expect(() =>
      kafkaSecurityFromEnv({
        KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
        KAFKA_SASL_MECHANISM: 'PLAIN',
        KAFKA_SASL_USERNAME: SASL_USER,
      }),
    ).toThrow(/KAFKA_SASL_PASSWORD: required/);
  });
});
