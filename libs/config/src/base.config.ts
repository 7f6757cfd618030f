import { z } from 'zod';
import { kafkaSecurityConfigShape } from './kafka-security.config';

export const DEFAULT_DATABASE_URL =
  'postgres://postgres@127.0.0.1:5432/kingbridge';
export const DEFAULT_KAFKA_BROKERS = '127.0.0.1:19092';

/** Comma-separated list -> string[]. */
export const csvSchema = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().min(1)).min(1));

/** Variables every service reads. Services extend this with their own. */
export const baseConfigSchema = z.object({
  NODE_ENV: z
    .enum(['development', 'test', 'production'])
    .default('development'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('pino log level'),
  KAFKA_BROKERS: csvSchema
    .default([DEFAULT_KAFKA_BROKERS])
    .describe('Kafka bootstrap servers, comma separated'),
  KAFKA_CLIENT_ID: z
    .string()
    .min(1)
    .optional()
    .describe('Kafka client id (defaults to the service name)'),
  ...kafkaSecurityConfigShape,
  DATABASE_URL: z
    .string()
    .url()
    .default(DEFAULT_DATABASE_URL)
    .describe('PostgreSQL connection URL'),
  HTTP_PORT: z.coerce
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(0)
    .describe('port of /metrics and /health'),
  HTTP_HOST: z.string().default('127.0.0.1'),
  ADMIN_TOKEN: z
    .string()
    .min(16)
    .optional()
    .describe('secret: bearer token for admin endpoints'),
});
export type BaseConfig = z.infer<typeof baseConfigSchema>;
