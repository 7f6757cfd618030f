import { baseConfigSchema } from '@kingbridge/config';
import type { SourcePlatform } from '@kingbridge/contracts';
import type { SourceConnectorSpec } from '@kingbridge/source-kit';
import {
  parseCron,
  parseRateRules,
  parseUserTime,
} from '@kingbridge/source-runtime';
import { z } from 'zod';
import { SOURCE_CONNECTORS } from '@kingbridge/source-registry';

/** A refinement: `parse` throws on a bad value and its message becomes the variable's issue; unset passes. */
const parsedBy =
  (parse: (value: string) => unknown) =>
  (value: string | undefined, ctx: z.RefinementCtx): void => {
    if (value === undefined) return;
    try {
      parse(value);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  };

const rateSchema = (fallback: string) =>
  z.string().default(fallback).superRefine(parsedBy(parseRateRules));

/** Variables of the service itself, whatever the platform. */
const SERVICE_SHAPE = {
  SOURCE_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(30_000)
    .describe('per-request timeout'),
  POLL_INTERVAL_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(60_000)
    .describe('pause between incremental runs of a stream'),
  MAX_POLL_INTERVAL_MS: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .describe(
      "upper bound of every stream's pause, plans' schedule.intervalSeconds included (peak days, demos, tests)",
    ),
  OVERLAP_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(300_000)
    .describe('re-read before the checkpoint on each run'),
  SAFETY_LAG_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(60_000)
    .describe('query up to now minus this'),
  INITIAL_LOOKBACK_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(86_400_000)
    .describe(
      'start of a stream without checkpoint: now minus this, unless INITIAL_SYNC_FROM or the stream says otherwise',
    ),
  INITIAL_SYNC_FROM: z
    .string()
    .optional()
    .superRefine(parsedBy(parseUserTime))
    .describe(
      "initial sync from: where every stream without checkpoint starts (ISO-8601, or 'yyyy-MM-dd[ HH:mm:ss]' Beijing time); default now − INITIAL_LOOKBACK_MS. Master-data streams (shops) start with a full scan instead",
    ),
  CRON_UTC_OFFSET_MINUTES: z.coerce
    .number()
    .int()
    .default(480)
    .describe('timezone of remediation crons (480 = Asia/Shanghai)'),
  CRON_TIMEZONE: z
    .string()
    .optional()
    .superRefine(parsedBy((zone) => parseCron('0 0 * * *', zone)))
    .describe(
      'IANA time zone of remediation crons (e.g. Asia/Shanghai); wins over CRON_UTC_OFFSET_MINUTES',
    ),
  PLANS_DIR: z
    .string()
    .default('plans')
    .describe('folder of sync plans; their source sections name the streams'),
  SOURCE_STREAMS: z
    .string()
    .optional()
    .describe('JSON array of streams; replaces the plans (tests, ad-hoc runs)'),
  RAW_TOPIC_PREFIX: z
    .string()
    .default('')
    .describe('prefix of raw topic names (tests only)'),
  CREATE_TOPICS: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true')
    .describe('create missing topics at start'),
};

/** The spec of `id` in `registry` (the service's registry unless a test hands another). */
export function connectorSpecOf(
  id: string,
  registry: readonly SourceConnectorSpec[] = SOURCE_CONNECTORS,
): SourceConnectorSpec {
  const spec = registry.find((s) => s.id === id);
  if (!spec) throw new Error(`no source connector '${id}' is registered`);
  return spec;
}

/** Every platform's variables (its own, plus its rate limit), each under the platform's prefix, once. */
function platformShape(
  registry: readonly SourceConnectorSpec[],
): z.ZodRawShape {
  const shape: z.ZodRawShape = {};
  for (const spec of registry) {
    const prefix = `${spec.id.toUpperCase().replace(/-/g, '_')}_`;
    const own: z.ZodRawShape = {
      ...spec.env,
      [spec.rateLimit.variable]: rateSchema(spec.rateLimit.default).describe(
        spec.rateLimit.description,
      ),
    };
    for (const name of Object.keys(own)) {
      if (!name.startsWith(prefix))
        throw new Error(
          `${spec.id}: variable ${name} must start with ${prefix}`,
        );
      if (name in shape || name in SERVICE_SHAPE)
        throw new Error(`${spec.id}: variable ${name} is defined twice`);
    }
    if (!(spec.endpoint.variable in spec.env))
      throw new Error(
        `${spec.id}: endpoint variable ${spec.endpoint.variable} is not one of its variables`,
      );
    Object.assign(shape, own);
  }
  return shape;
}

/**
 * The service's configuration schema over a registry of platforms: `CONNECTOR_ID` names one of them, every
 * platform's variables are known (so `NAME_FILE` and redaction work for each), and the selected platform's required
 * variables stop the service at start, named. Config parsing has no platform of its own: all of it comes from the specs.
 */
export function sourceConnectorConfigSchemaFor(
  registry: readonly SourceConnectorSpec[],
) {
  const ids = registry.map((s) => s.id);
  const ports = registry.map((s) => `${s.id} ${s.httpPort}`).join(', ');
  return (
    baseConfigSchema
      .extend({
        CONNECTOR_ID: z
          .enum(ids as [SourcePlatform, ...SourcePlatform[]])
          .describe(`platform this process pulls from: ${ids.join(' | ')}`),
        HTTP_PORT: z.coerce
          .number()
          .int()
          .min(0)
          .max(65535)
          .optional()
          .describe(
            `port of /metrics and /health (default per connector: ${ports})`,
          ),
        ...SERVICE_SHAPE,
      })
      // The platforms' variables are typed in their specs; the service reads them only through the spec.
      .extend(platformShape(registry) as Record<never, never>)
      .superRefine((config, ctx) => {
        const spec = connectorSpecOf(config.CONNECTOR_ID, registry);
        for (const { name, when } of spec.requiredVariables(config)) {
          if (!(config as Record<string, unknown>)[name]) {
            ctx.addIssue({
              code: 'custom',
              path: [name],
              message: `required when CONNECTOR_ID=${spec.id}${when ? ` and ${when}` : ''}`,
            });
          }
        }
      })
  );
}

export const sourceConnectorConfigSchema =
  sourceConnectorConfigSchemaFor(SOURCE_CONNECTORS);

export type SourceConnectorConfig = z.infer<typeof sourceConnectorConfigSchema>;
export const SOURCE_CONNECTOR_CONFIG = Symbol('SOURCE_CONNECTOR_CONFIG');
