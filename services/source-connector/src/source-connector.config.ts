import { baseConfigSchema } from '@kingbridge/config';
import { sourcePlatformSchema } from '@kingbridge/contracts';
import { parseRateRules, parseUserTime } from '@kingbridge/source-runtime';
import { z } from 'zod';

const rateSchema = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .superRefine((value, ctx) => {
      try {
        parseRateRules(value);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    });

const secret = (what: string) =>
  z.string().min(1).optional().describe(`secret: ${what}`);

/** Service port per connector (CONTRIBUTING.md) when HTTP_PORT is not set. */
export const DEFAULT_HTTP_PORTS = {
  jackyun: 19401,
  wdt: 19402,
  jushuitan: 19403,
  xiaoman: 19404,
} as const;

/** Credentials each connector needs; a missing one stops the service at start, naming the variable. */
const REQUIRED: Record<
  z.infer<typeof sourcePlatformSchema>,
  readonly string[]
> = {
  jackyun: ['JACKYUN_APP_KEY', 'JACKYUN_APP_SECRET'],
  wdt: ['WDT_SID', 'WDT_APP_KEY', 'WDT_APP_SECRET'],
  jushuitan: [
    'JUSHUITAN_APP_KEY',
    'JUSHUITAN_APP_SECRET',
    'JUSHUITAN_ACCESS_TOKEN',
  ],
  xiaoman: ['XIAOMAN_CLIENT_ID', 'XIAOMAN_CLIENT_SECRET'],
};

export const sourceConnectorConfigSchema = baseConfigSchema
  .extend({
    CONNECTOR_ID: sourcePlatformSchema.describe(
      'platform this process pulls from: jackyun | wdt | jushuitan | xiaoman',
    ),
    HTTP_PORT: z.coerce
      .number()
      .int()
      .min(0)
      .max(65535)
      .optional()
      .describe(
        'port of /metrics and /health (default per connector: 19401-19404)',
      ),

    JACKYUN_BASE_URL: z
      .string()
      .url()
      .default('http://127.0.0.1:18101')
      .describe('Jackyun gateway origin (prod https://open.jackyun.com)'),
    JACKYUN_APP_KEY: z.string().min(1).optional().describe('Jackyun appkey'),
    JACKYUN_APP_SECRET: secret('Jackyun app secret'),
    JACKYUN_RATE_LIMIT: rateSchema('1/1s').describe(
      'Jackyun request limit per appkey, e.g. 1/1s (community: 1 req/s)',
    ),
    JACKYUN_TRANSPORT: z
      .enum(['direct', 'qimen'])
      .default('direct')
      .describe(
        'direct (open/openapi/do on JACKYUN_BASE_URL) or qimen: 吉客云·奇门 router /router/qm on JACKYUN_BASE_URL = the Qimen host (seed 000)',
      ),
    JACKYUN_QIMEN_APP_KEY: z
      .string()
      .min(1)
      .optional()
      .describe('Qimen app key (JACKYUN_TRANSPORT=qimen)'),
    JACKYUN_QIMEN_APP_SECRET: secret(
      'Qimen app secret (JACKYUN_TRANSPORT=qimen)',
    ),
    JACKYUN_QIMEN_TARGET_APP_KEY: z
      .string()
      .min(1)
      .optional()
      .describe("Jackyun's app key on Qimen (target_app_key)"),

    WDT_BASE_URL: z
      .string()
      .url()
      .default('http://127.0.0.1:18102')
      .describe('WDT openapi2 origin (prod https://api.wangdian.cn)'),
    WDT_SID: z.string().min(1).optional().describe('WDT seller account (sid)'),
    WDT_APP_KEY: z.string().min(1).optional().describe('WDT appkey'),
    WDT_APP_SECRET: secret('WDT app secret'),
    WDT_RATE_LIMIT: rateSchema('1/1s').describe('WDT request limit per appkey'),
    WDT_TRANSPORT: z
      .enum(['openapi2', 'qimen'])
      .default('openapi2')
      .describe(
        'openapi2 (WDT_BASE_URL = WDT origin) or qimen: 企业奇门 router /router/qm on WDT_BASE_URL = the Qimen host (seed 001)',
      ),
    WDT_QIMEN_APP_KEY: z
      .string()
      .min(1)
      .optional()
      .describe('Qimen app key (WDT_TRANSPORT=qimen)'),
    WDT_QIMEN_APP_SECRET: secret('Qimen app secret (WDT_TRANSPORT=qimen)'),
    WDT_QIMEN_TARGET_APP_KEY: z
      .string()
      .min(1)
      .optional()
      .describe("WDT's app key on Qimen (target_app_key, WDT_TRANSPORT=qimen)"),

    JUSHUITAN_BASE_URL: z
      .string()
      .url()
      .default('http://127.0.0.1:18103')
      .describe('Jushuitan origin (prod https://openapi.jushuitan.com)'),
    JUSHUITAN_APP_KEY: z
      .string()
      .min(1)
      .optional()
      .describe('Jushuitan app_key'),
    JUSHUITAN_APP_SECRET: secret('Jushuitan app secret'),
    JUSHUITAN_ACCESS_TOKEN: secret('Jushuitan access_token'),
    JUSHUITAN_RATE_LIMIT: rateSchema('5/1s,100/60s').describe(
      'Jushuitan limits (documented: 5/s and 100/min)',
    ),

    XIAOMAN_BASE_URL: z
      .string()
      .url()
      .default('http://127.0.0.1:18104')
      .describe('OKKI origin (prod https://api-sandbox.xiaoman.cn)'),
    XIAOMAN_CLIENT_ID: z
      .string()
      .min(1)
      .optional()
      .describe('OKKI OAuth client_id'),
    XIAOMAN_CLIENT_SECRET: secret('OKKI OAuth client_secret'),
    XIAOMAN_SCOPE: z.string().default('invoices').describe('OKKI OAuth scope'),
    XIAOMAN_RATE_LIMIT: rateSchema('5/1s').describe(
      'OKKI request limit (undocumented)',
    ),

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
      .superRefine((value, ctx) => {
        if (value === undefined) return;
        try {
          parseUserTime(value);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: (err as Error).message });
        }
      })
      .describe(
        "initial sync from: where every stream without checkpoint starts (ISO-8601, or 'yyyy-MM-dd[ HH:mm:ss]' Beijing time); default now − INITIAL_LOOKBACK_MS. Master-data streams (shops) start with a full scan instead",
      ),
    CRON_UTC_OFFSET_MINUTES: z.coerce
      .number()
      .int()
      .default(480)
      .describe('timezone of remediation crons (480 = Asia/Shanghai)'),
    PLANS_DIR: z
      .string()
      .default('plans')
      .describe('folder of sync plans; their source sections name the streams'),
    SOURCE_STREAMS: z
      .string()
      .optional()
      .describe(
        'JSON array of streams; replaces the plans (tests, ad-hoc runs)',
      ),
    RAW_TOPIC_PREFIX: z
      .string()
      .default('')
      .describe('prefix of raw topic names (tests only)'),
    CREATE_TOPICS: z
      .enum(['true', 'false'])
      .default('true')
      .transform((v) => v === 'true')
      .describe('create missing topics at start'),
  })
  .superRefine((config, ctx) => {
    const required = [...REQUIRED[config.CONNECTOR_ID]];
    if (config.CONNECTOR_ID === 'wdt' && config.WDT_TRANSPORT === 'qimen')
      required.push(
        'WDT_QIMEN_APP_KEY',
        'WDT_QIMEN_APP_SECRET',
        'WDT_QIMEN_TARGET_APP_KEY',
      );
    if (
      config.CONNECTOR_ID === 'jackyun' &&
      config.JACKYUN_TRANSPORT === 'qimen'
    )
      required.push(
        'JACKYUN_QIMEN_APP_KEY',
        'JACKYUN_QIMEN_APP_SECRET',
        'JACKYUN_QIMEN_TARGET_APP_KEY',
      );
    for (const name of required) {
      if (!(config as Record<string, unknown>)[name]) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `required when CONNECTOR_ID=${config.CONNECTOR_ID}${name.startsWith('WDT_QIMEN_') ? ' and WDT_TRANSPORT=qimen' : name.startsWith('JACKYUN_QIMEN_') ? ' and JACKYUN_TRANSPORT=qimen' : ''}`,
        });
      }
    }
  });

export type SourceConnectorConfig = z.infer<typeof sourceConnectorConfigSchema>;
export const SOURCE_CONNECTOR_CONFIG = Symbol('SOURCE_CONNECTOR_CONFIG');
