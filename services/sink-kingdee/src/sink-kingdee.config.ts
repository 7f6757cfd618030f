import { baseConfigSchema, csvSchema } from '@kingbridge/config';
import { kingdeeTargetSchema, type KingdeeTarget } from '@kingbridge/contracts';
import { z } from 'zod';
import { kingdeeBudgetConfigShape } from './budget/kingdee-budget.config';

export const SINK_SERVICE = 'sink-kingdee';
export const SINK_DEFAULT_PORT = 19420;

const int = (min: number, fallback: number) =>
  z.coerce.number().int().min(min).default(fallback);
const secret = (what: string) =>
  z.string().min(1).optional().describe(`secret: ${what}`);
const booleanString = z.enum(['true', 'false']).transform((v) => v === 'true');

/** An integer variable: its minimum, its default and what it sets. */
interface IntegerVariable {
  readonly min: number;
  readonly default: number;
  readonly what: string;
}

/** The schema of each integer variable of `table`. */
function integers<K extends string>(
  table: Readonly<Record<K, IntegerVariable>>,
): Record<K, ReturnType<typeof int>> {
  return Object.fromEntries(
    Object.entries<IntegerVariable>(table).map(([name, v]) => [
      name,
      int(v.min, v.default).describe(v.what),
    ]),
  ) as Record<K, ReturnType<typeof int>>;
}

/** How the sink consumes, batches, retries and times out. */
const SINK_TUNING = {
  SINK_PARTITIONS_CONCURRENTLY: {
    min: 1,
    default: 6,
    what: 'partitions handled at once (batches are built across them)',
  },
  SINK_SESSION_TIMEOUT_MS: {
    min: 6000,
    default: 30_000,
    what: 'consumer group session timeout: how long a crashed sink holds its partitions',
  },
  SINK_LINGER_MS: {
    min: 0,
    default: 200,
    what: 'how long a partial batch waits for more documents at most (from its first document)',
  },
  SINK_LINGER_IDLE_MS: {
    min: 0,
    default: 20,
    what: 'a partial batch is sent once no document joined it for this long (documents still arriving keep it open up to SINK_LINGER_MS; >= SINK_LINGER_MS: a fixed linger)',
  },
  SINK_RETRY_ATTEMPTS: {
    min: 1,
    default: 8,
    what: 'attempts of a transiently failing document before it is dead-lettered (only when SINK_RETRY_BUDGET_MS is 0)',
  },
  SINK_RETRY_BUDGET_MS: {
    min: 0,
    default: 30 * 60_000,
    what: 'how long a transiently failing document is retried (backoff up to SINK_RETRY_MAX_MS) before it is dead-lettered; 0 = by SINK_RETRY_ATTEMPTS',
  },
  SINK_RELEASE_RETRYING_AFTER_MS: {
    min: 0,
    default: 1000,
    what: 'a partition whose next retry is at least this far away is paused and its batch released, so other partitions keep flowing',
  },
  SINK_REBALANCE_TIMEOUT_MS: {
    min: 1000,
    default: 60_000,
    what: 'how long a rebalance waits for members to rejoin (a member still busy then loses its partitions)',
  },
  SINK_RETRY_INITIAL_MS: {
    min: 1,
    default: 1000,
    what: 'first retry delay (doubles, with jitter)',
  },
  SINK_RETRY_MAX_MS: { min: 1, default: 60_000, what: 'retry delay cap' },
  SINK_GAUGE_REFRESH_MS: {
    min: 100,
    default: 15_000,
    what: 'refresh period of the ledger and dead-letter gauges',
  },
  KINGDEE_TIMEOUT_MS: {
    min: 100,
    default: 30_000,
    what: 'per-request timeout of every Kingdee call',
  },
  SINK_IN_FLIGHT_GRACE_MS: {
    min: 0,
    default: 30_000,
    what:
      'how long Kingdee may still finish a write after its call ended without an answer; ' +
      'no sink instance looks a document up or sends it again before (in-flight lease = KINGDEE_TIMEOUT_MS + this)',
  },
} as const;

/** Credentials each target needs when it is in SINK_TARGETS; a missing one stops the service, naming the variable. */
function requiredFor(config: {
  K3CLOUD_AUTH_MODE: string;
  JDY_OUTER_INSTANCE_ID?: string | undefined;
}): Record<KingdeeTarget, string[]> {
  return {
    k3cloud:
      config.K3CLOUD_AUTH_MODE === 'password'
        ? ['K3CLOUD_PASSWORD']
        : ['K3CLOUD_APP_ID', 'K3CLOUD_APP_SECRET'],
    jdy: [
      'JDY_CLIENT_ID',
      'JDY_CLIENT_SECRET',
      'JDY_APP_KEY',
      ...(config.JDY_OUTER_INSTANCE_ID ? [] : ['JDY_APP_SECRET']),
    ],
    k3wise: ['K3WISE_AUTHORITY_CODE'],
  };
}

/** Environment of the Kingdee sink. Kingdee URLs default to the local simulators; secrets come as env or `*_FILE`. */
export const sinkKingdeeConfigSchema = baseConfigSchema
  .extend({
    HTTP_PORT: z.coerce
      .number()
      .int()
      .min(0)
      .max(65535)
      .default(SINK_DEFAULT_PORT)
      .describe('port of /metrics and /health'),
    SINK_TARGETS: csvSchema
      .pipe(z.array(kingdeeTargetSchema))
      .default(['k3cloud', 'jdy', 'k3wise'])
      .describe('targets whose outbound topics this process consumes'),
    SINK_GROUP_ID: z
      .string()
      .min(1)
      .default('sink-kingdee')
      .describe('consumer group of the outbound topics'),
    TOPIC_PREFIX: z
      .string()
      .default('')
      .describe('prefix of every topic name (tests only)'),
    CREATE_TOPICS: booleanString
      .default(true)
      .describe('create missing outbound/status/dlq topics at start'),
    ...integers(SINK_TUNING),

    K3CLOUD_BASE_URL: z
      .string()
      .url()
      .default('http://127.0.0.1:18201/k3cloud/')
      .describe('K3Cloud WebAPI base (ends with /k3cloud/)'),
    K3CLOUD_ACCT_ID: z
      .string()
      .min(1)
      .default('66b1f0c2a8e4d1')
      .describe('data-centre (账套) id'),
    K3CLOUD_USERNAME: z
      .string()
      .min(1)
      .default('kingbridge')
      .describe('integration user'),
    K3CLOUD_AUTH_MODE: z
      .enum(['password', 'app-secret', 'sign', 'signed-headers'])
      .default('password')
      .describe(
        'ValidateUser | LoginByAppSecret | LoginBySign | SDK signed headers',
      ),
    K3CLOUD_PASSWORD: secret('K3Cloud user password (password mode)'),
    K3CLOUD_APP_ID: z
      .string()
      .min(1)
      .optional()
      .describe(
        'third-party app id {clientId}_{secret} (app-secret, sign, signed-headers)',
      ),
    K3CLOUD_APP_SECRET: secret('K3Cloud app secret'),
    K3CLOUD_LOGIN_SIGN_ALGORITHM: z
      .enum(['sha256', 'sha1'])
      .default('sha256')
      .describe('LoginBySign hash (sha1 before PT-146911)'),
    K3CLOUD_LCID: int(1, 2052).describe('language id'),
    K3CLOUD_ORG_NUM: z
      .string()
      .default('0')
      .describe('org number for signed headers'),
    K3CLOUD_CONCURRENCY: int(1, 4).describe(
      'K3Cloud requests in flight at once',
    ),

    JDY_BASE_URL: z
      .string()
      .url()
      .default('http://127.0.0.1:18202')
      .describe('JDY gateway origin (prod https://api.kingdee.com)'),
    JDY_CLIENT_ID: z
      .string()
      .min(1)
      .optional()
      .describe('developer app client id'),
    JDY_CLIENT_SECRET: secret('JDY client secret'),
    JDY_APP_KEY: z.string().min(1).optional().describe('account app key'),
    JDY_APP_SECRET: secret(
      'JDY account app secret (fetched with JDY_OUTER_INSTANCE_ID when unset)',
    ),
    JDY_OUTER_INSTANCE_ID: z
      .string()
      .min(1)
      .optional()
      .describe('instance id for push_app_authorize (rotating secret)'),
    JDY_ROUTER_ADDR: z
      .string()
      .min(1)
      .optional()
      .describe('X-GW-Router-Addr (from the authorisation when unset)'),
    JDY_CONCURRENCY: int(1, 4).describe('JDY requests in flight at once'),

    K3WISE_BASE_URL: z
      .string()
      .url()
      .default('http://127.0.0.1:18203/K3API')
      .describe('K/3 WISE K3API base'),
    K3WISE_AUTHORITY_CODE: secret('K/3 WISE authorityCode'),
    K3WISE_CONCURRENCY: int(1, 2).describe(
      'K/3 WISE requests in flight at once',
    ),
    ...kingdeeBudgetConfigShape,
  })
  .superRefine((config, ctx) => {
    const required = requiredFor(config);
    for (const target of config.SINK_TARGETS) {
      for (const name of required[target]) {
        if (!(config as Record<string, unknown>)[name]) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: `required when SINK_TARGETS includes ${target}`,
          });
        }
      }
    }
  });

export type SinkKingdeeConfig = z.infer<typeof sinkKingdeeConfigSchema>;
export const SINK_KINGDEE_CONFIG = Symbol('SINK_KINGDEE_CONFIG');
