import {
  kafkaSecurityConfigSchema,
  kafkaSecurityOf,
  loadConfig,
  type Env,
  type KafkaSecurity,
} from '@kingbridge/config';
import type { KafkaConfig, SASLOptions } from 'kafkajs';

/**
 * The Kafka security settings of this process, from `KAFKA_SECURITY_PROTOCOL`,
 * `KAFKA_SASL_*` and `KAFKA_SSL_*` (each also as `NAME_FILE`). Read through
 * `loadConfig`, so the password and key are registered for log redaction.
 * Throws ConfigError naming the variable when the combination is incomplete.
 */
export function kafkaSecurityFromEnv(env: Env = process.env): KafkaSecurity {
  return kafkaSecurityOf(loadConfig(kafkaSecurityConfigSchema, env));
}

const MECHANISMS = {
  PLAIN: 'plain',
  'SCRAM-SHA-256': 'scram-sha-256',
  'SCRAM-SHA-512': 'scram-sha-512',
} as const;

/** The `ssl` / `sasl` part of a kafkajs client config. */
export function kafkajsSecurity(
  security: KafkaSecurity,
): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const sasl: SASLOptions | undefined = security.sasl
    ? {
        mechanism: MECHANISMS[security.sasl.mechanism],
        username: security.sasl.username,
        password: security.sasl.password,
      }
    : undefined;
  return {
    ...(security.tls ? { ssl: { ...security.tls } } : {}),
    ...(sasl ? { sasl } : {}),
  };
}
