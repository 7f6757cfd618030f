import { baseConfigSchema } from '@kingbridge/config';
import { parseDuration } from '@kingbridge/transform-engine';
import { z } from 'zod';

/** Service name: metrics `service` label, Kafka client id, logger name. */
export const TRANSFORM_SERVICE = 'transform';

/** Port of /metrics and /health (CONTRIBUTING.md). */
export const DEFAULT_TRANSFORM_HTTP_PORT = 19410;

const duration = (what: string) =>
  z
    .string()
    .min(1)
    .refine((v) => parseDuration(v) !== undefined, {
      message: 'not a duration (use 500ms, 30s, 15m, 2h, 1d)',
    })
    .optional()
    .describe(what);

const bool = (fallback: 'true' | 'false') =>
  z
    .enum(['true', 'false'])
    .default(fallback)
    .transform((v) => v === 'true');

export const transformConfigSchema = baseConfigSchema.extend({
  HTTP_PORT: z.coerce
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(DEFAULT_TRANSFORM_HTTP_PORT)
    .describe('port of /metrics and /health (0 = any free port)'),
  PLANS_DIR: z
    .string()
    .min(1)
    .default('plans')
    .describe('folder of sync plans; every plan is validated at start'),
  TRANSFORM_GROUP_ID: z
    .string()
    .min(1)
    .default('transform')
    .describe('consumer group over every raw topic the plans name'),
  TRANSFORM_FROM_BEGINNING: bool('true').describe(
    'read a raw topic from its start when the group has no committed offset',
  ),
  TRANSFORM_RETRY_ATTEMPTS: z.coerce
    .number()
    .int()
    .positive()
    .default(20)
    .describe(
      'attempts of a batch hit by an infrastructure error (Postgres/Kafka) before its messages are dead-lettered',
    ),
  TRANSFORM_RETRY_BUDGET_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(24 * 3_600_000)
    .default(30 * 60_000)
    .describe(
      'how long a batch hit by an infrastructure error, or a record waiting for master data that may still appear (a sales order not in K3Cloud yet), is retried before it is dead-lettered; 0 = by TRANSFORM_RETRY_ATTEMPTS',
    ),
  TRANSFORM_RELEASE_RETRYING_AFTER_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(60_000)
    .default(1_000)
    .describe(
      'a partition whose next retry is at least this far away is paused and its batch released, so the other raw topics and partitions keep flowing',
    ),
  KAFKA_SESSION_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(6_000)
    .default(30_000)
    .describe(
      'consumer group session timeout: how long a crashed instance keeps its partitions',
    ),
  TRANSFORM_PARTITIONS_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .max(64)
    .default(1)
    .describe(
      'raw topic partitions handled at once per instance (merges of one flow still serialise on its watermark row)',
    ),
  TRANSFORM_FETCH_PARTITION_BYTES: z.coerce
    .number()
    .int()
    .min(16_384)
    .max(67_108_864)
    .default(1_048_576)
    .describe(
      'max bytes fetched per raw topic partition per batch: larger batches mean fewer produce and commit round trips, more memory',
    ),
  TRANSFORM_FETCH_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(16_384)
    .max(268_435_456)
    .default(4_194_304)
    .describe(
      'max bytes of one fetch over every partition: with TRANSFORM_FETCH_PARTITION_BYTES it bounds the raw records held at once (memory)',
    ),
  MERGE_STATE_CACHE_RECORDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(10_000_000)
    .default(50_000)
    .describe(
      'merge records of open windows kept in memory between batches (checked against the window row version under its lock; 0 = read every batch from Postgres)',
    ),
  WINDOW_TICK_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(5_000)
    .describe('how often due merge windows are emitted and gauges refreshed'),
  WINDOW_EMIT_LIMIT: z.coerce
    .number()
    .int()
    .positive()
    .default(50)
    .describe('windows emitted per flow per transaction'),
  LOOKUP_CACHE_TTL_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(60_000)
    .describe('lookup tables are re-read from Postgres after this'),
  K3CLOUD_BASE_URL: z
    .string()
    .url()
    .default('http://127.0.0.1:18201/k3cloud/')
    .describe(
      'K3Cloud read for plan lookups: tables (customer sellers, sales orders) read from K3Cloud',
    ),
  K3CLOUD_ACCT_ID: z
    .string()
    .min(1)
    .optional()
    .describe('K3Cloud data centre id (needed when a plan has lookups:)'),
  K3CLOUD_USERNAME: z
    .string()
    .min(1)
    .optional()
    .describe('K3Cloud user the lookups read as'),
  K3CLOUD_PASSWORD: z
    .string()
    .min(1)
    .optional()
    .describe('secret: K3Cloud password of K3CLOUD_USERNAME'),
  MERGE_WINDOW_SIZE: duration(
    'overrides merge.window.size of every merge plan (demos, tests)',
  ),
  MERGE_GRACE: duration('overrides merge.window.grace of every merge plan'),
  MERGE_IDLE_TIMEOUT: duration(
    'overrides merge.window.idleTimeout of every merge plan',
  ),
  MERGE_DEDUP_RETENTION: duration(
    'overrides merge.dedupRetention of every merge plan',
  ),
});

export type TransformConfig = z.infer<typeof transformConfigSchema>;
export const TRANSFORM_CONFIG = Symbol('TRANSFORM_CONFIG');
export const TRANSFORM_LOGGER = Symbol('TRANSFORM_LOGGER');
