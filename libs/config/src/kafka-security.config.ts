import { z } from 'zod';
import { ConfigError } from './config.error';

/** Kafka's own names for a listener's protocol (what a managed Kafka's console prints), and what each one uses. */
const PROTOCOLS = {
  PLAINTEXT: { sasl: false, tls: false },
  SSL: { sasl: false, tls: true },
  SASL_PLAINTEXT: { sasl: true, tls: false },
  SASL_SSL: { sasl: true, tls: true },
} as const satisfies Record<string, { sasl: boolean; tls: boolean }>;
export type KafkaSecurityProtocol = keyof typeof PROTOCOLS;
export const kafkaSecurityProtocolSchema = z.enum(
  Object.keys(PROTOCOLS) as KafkaSecurityProtocol[],
);

export const kafkaSaslMechanismSchema = z.enum([
  'PLAIN',
  'SCRAM-SHA-256',
  'SCRAM-SHA-512',
]);
export type KafkaSaslMechanism = z.infer<typeof kafkaSaslMechanismSchema>;

/**
 * How every service and CLI authenticates to Kafka. PEM material and the
 * password can be given inline or, like every variable, as `NAME_FILE`
 * (`KAFKA_SSL_CA_FILE=/run/secrets/kafka-ca.pem`). Part of
 * `baseConfigSchema`, so a service's `loadConfig` rejects a bad value at start.
 */
export const kafkaSecurityConfigShape = {
  KAFKA_SECURITY_PROTOCOL: z
    .string()
    .transform((v) => v.trim().toUpperCase())
    .pipe(kafkaSecurityProtocolSchema)
    .default('PLAINTEXT')
    .describe(kafkaSecurityProtocolSchema.options.join(' | ')),
  KAFKA_SASL_MECHANISM: z
    .string()
    .transform((v) => v.trim().toUpperCase().replace(/_/g, '-'))
    .pipe(kafkaSaslMechanismSchema)
    .optional()
    .describe(
      `${kafkaSaslMechanismSchema.options.join(' | ')} (SASL_* protocols)`,
    ),
  KAFKA_SASL_USERNAME: z
    .string()
    .min(1)
    .optional()
    .describe(
      'SASL user (Alibaba Cloud/CKafka instance user, MSK SCRAM user, Confluent API key)',
    ),
  KAFKA_SASL_PASSWORD: z
    .string()
    .min(1)
    .optional()
    .describe('secret: SASL password (Confluent API secret)'),
  KAFKA_SSL_CA: z
    .string()
    .min(1)
    .optional()
    .describe(
      'PEM of the CA(s) that signed the brokers (usually KAFKA_SSL_CA_FILE); unset = the system CAs',
    ),
  KAFKA_SSL_CERT: z
    .string()
    .min(1)
    .optional()
    .describe(
      'PEM client certificate for mutual TLS (usually KAFKA_SSL_CERT_FILE)',
    ),
  KAFKA_SSL_KEY: z
    .string()
    .min(1)
    .optional()
    .describe('secret: PEM client private key (usually KAFKA_SSL_KEY_FILE)'),
  KAFKA_SSL_KEY_PASSWORD: z
    .string()
    .min(1)
    .optional()
    .describe('secret: passphrase of an encrypted KAFKA_SSL_KEY'),
  KAFKA_SSL_SERVERNAME: z
    .string()
    .min(1)
    .optional()
    .describe(
      'TLS server name when the certificate does not carry the broker host',
    ),
  KAFKA_SSL_REJECT_UNAUTHORIZED: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true')
    .describe('false only for a test broker with a certificate nobody signed'),
} as const;

export const kafkaSecurityConfigSchema = z.object(kafkaSecurityConfigShape);
export type KafkaSecurityConfig = z.infer<typeof kafkaSecurityConfigSchema>;

/** What the Kafka client needs; `undefined` parts are not used. */
export interface KafkaSecurity {
  readonly protocol: KafkaSecurityProtocol;
  readonly sasl?: {
    readonly mechanism: KafkaSaslMechanism;
    readonly username: string;
    readonly password: string;
  };
  readonly tls?: {
    readonly ca?: string;
    readonly cert?: string;
    readonly key?: string;
    readonly passphrase?: string;
    readonly servername?: string;
    readonly rejectUnauthorized: boolean;
  };
}

/**
 * Checks the combination (each variable alone was checked by the schema) and
 * returns the client settings. Throws ConfigError naming every variable that
 * is missing or does not fit the protocol; never echoes a value.
 */
export function kafkaSecurityOf(config: KafkaSecurityConfig): KafkaSecurity {
  const issues: string[] = [];
  const protocol = config.KAFKA_SECURITY_PROTOCOL;
  const { sasl: usesSasl, tls: usesTls } = PROTOCOLS[protocol];
  if (usesSasl) {
    for (const name of [
      'KAFKA_SASL_MECHANISM',
      'KAFKA_SASL_USERNAME',
      'KAFKA_SASL_PASSWORD',
    ] as const) {
      if (!config[name])
        issues.push(
          `${name}: required when KAFKA_SECURITY_PROTOCOL=${protocol}`,
        );
    }
  } else if (config.KAFKA_SASL_MECHANISM || config.KAFKA_SASL_USERNAME) {
    issues.push(
      `KAFKA_SASL_MECHANISM: SASL is set but KAFKA_SECURITY_PROTOCOL=${protocol} (use SASL_SSL or SASL_PLAINTEXT)`,
    );
  }
  if (!usesTls) {
    for (const name of [
      'KAFKA_SSL_CA',
      'KAFKA_SSL_CERT',
      'KAFKA_SSL_KEY',
    ] as const) {
      if (config[name])
        issues.push(
          `${name}: TLS material is set but KAFKA_SECURITY_PROTOCOL=${protocol} (use SSL or SASL_SSL)`,
        );
    }
  }
  if (Boolean(config.KAFKA_SSL_CERT) !== Boolean(config.KAFKA_SSL_KEY)) {
    issues.push(
      config.KAFKA_SSL_CERT
        ? 'KAFKA_SSL_KEY: required with KAFKA_SSL_CERT (mutual TLS)'
        : 'KAFKA_SSL_CERT: required with KAFKA_SSL_KEY (mutual TLS)',
    );
  }
  for (const name of ['KAFKA_SSL_CA', 'KAFKA_SSL_CERT'] as const) {
    const pem = config[name];
    if (pem && !pem.includes('-----BEGIN CERTIFICATE-----'))
      issues.push(
        `${name}: not a PEM certificate (expected -----BEGIN CERTIFICATE-----)`,
      );
  }
  if (
    config.KAFKA_SSL_KEY &&
    !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(config.KAFKA_SSL_KEY)
  )
    issues.push('KAFKA_SSL_KEY: not a PEM private key');
  if (issues.length > 0) throw new ConfigError(issues);
  return {
    protocol,
    ...(usesSasl
      ? {
          sasl: {
            mechanism: config.KAFKA_SASL_MECHANISM as KafkaSaslMechanism,
            username: config.KAFKA_SASL_USERNAME as string,
            password: config.KAFKA_SASL_PASSWORD as string,
          },
        }
      : {}),
    ...(usesTls
      ? {
          tls: {
            ...(config.KAFKA_SSL_CA ? { ca: config.KAFKA_SSL_CA } : {}),
            ...(config.KAFKA_SSL_CERT ? { cert: config.KAFKA_SSL_CERT } : {}),
            ...(config.KAFKA_SSL_KEY ? { key: config.KAFKA_SSL_KEY } : {}),
            ...(config.KAFKA_SSL_KEY_PASSWORD
              ? { passphrase: config.KAFKA_SSL_KEY_PASSWORD }
              : {}),
            ...(config.KAFKA_SSL_SERVERNAME
              ? { servername: config.KAFKA_SSL_SERVERNAME }
              : {}),
            rejectUnauthorized: config.KAFKA_SSL_REJECT_UNAUTHORIZED,
          },
        }
      : {}),
  };
}
