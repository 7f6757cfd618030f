import type {
  SourceDomain,
  SourcePlatform,
  SourceStreamSpec,
} from '@kingbridge/contracts';
import { z } from 'zod';
import type {
  RequestHooks,
  SourceConnectorClient,
} from './source-connector.port';

/** What the service hands every client besides its own variables. */
export interface SourceClientRuntime {
  /** Per-request timeout (`SOURCE_TIMEOUT_MS`). */
  readonly timeoutMs: number;
  /** The runtime's rate limiter, request metrics and retry policy. */
  readonly hooks: RequestHooks;
}

/** A variable that must be set when this platform is the connector's; `when` names an extra condition. */
export interface RequiredVariable {
  readonly name: string;
  /** E.g. `WDT_TRANSPORT=qimen`: appended to the message `required when CONNECTOR_ID=wdt and …`. */
  readonly when?: string;
}

/** Where the platform is reached: its origin variable, the production origin and the local simulator's port. */
export interface SourceEndpoint<Variable extends string = string> {
  /** The origin variable (`<PLATFORM>_BASE_URL`), one of the spec's `env` (built with `sourceEnv.origin`). */
  readonly variable: Variable;
  /** The production origin: what the Kubernetes manifests set the variable to. */
  readonly production: string;
  /** The port of the platform's simulator on 127.0.0.1: the variable's default; the local stack offsets it. */
  readonly simulatorPort: number;
}

/** Where the platform is reached, as one line: origin variable, production origin, simulator port. */
export function sourceEndpoint<Variable extends string>(
  variable: Variable,
  production: string,
  simulatorPort: number,
): SourceEndpoint<Variable> {
  return { variable, production, simulatorPort };
}

/** A stream's API as a spec lists it: HTTP method, API (method name or path), record id field. */
export type SourceStreamApi = readonly [
  method: SourceStreamSpec['method'],
  api: string,
  idField: string,
];

/**
 * A platform's streams whose raw topics share one domain, as a table: entity → its API. E.g.
 * `sourceStreams('oms', { 'stockout-order': ['POST', WDT_QIMEN_STOCKOUT_METHOD, 'stockout_id'] })`.
 */
export function sourceStreams(
  domain: SourceDomain,
  byEntity: Readonly<Record<string, SourceStreamApi>>,
): SourceConnectorSpec['streams'] {
  return Object.entries(byEntity).map(([entity, [method, api, idField]]) => ({
    entity,
    domain,
    api,
    method,
    idField,
  }));
}

/**
 * One source platform as the source-connector service sees it: everything it needs to validate the platform's
 * configuration at start and to build its client. Each `libs/connectors/source-<platform>` exports one; the
 * service registers them in one array (`SOURCE_CONNECTORS`) and iterates it: no switch names a platform.
 */
export interface SourceConnectorSpec<
  Env extends z.ZodRawShape = z.ZodRawShape,
> {
  /** `CONNECTOR_ID` of the platform: its wire id in raw records, raw topics and plans. */
  readonly id: SourcePlatform;
  /**
   * The streams the platform serves, one per entity: the domain of its raw topic
   * (`<domain>.<platform>.<entity>.raw.v1`) and the API, method and record id field that list it (a plan's
   * `source.api`, `method` and `idField` must name them). `@kingbridge/source-registry` lists them for every service.
   */
  readonly streams: readonly Omit<SourceStreamSpec, 'platform'>[];
  /** The platform's own variables, all prefixed `<PLATFORM>_`, each `.describe()`d; credentials optional here. */
  readonly env: Env;
  /** The request limit variable and its default (rate rules such as `5/1s,100/60s`), validated by the service. */
  readonly rateLimit: {
    readonly variable: string;
    readonly default: string;
    readonly description: string;
  };
  /** Port of `/metrics` and `/health` when `HTTP_PORT` is not set. */
  readonly httpPort: number;
  /** The platform's origin variable, production origin and simulator port (the local stack and the manifests). */
  readonly endpoint: SourceEndpoint;
  /** Variables that must be set when `CONNECTOR_ID` is this platform (may depend on others, e.g. the transport). */
  requiredVariables(
    env: z.output<z.ZodObject<Env>>,
  ): readonly RequiredVariable[];
  /** The production client from the validated configuration (required variables are present). */
  createClient(
    env: z.output<z.ZodObject<Env>>,
    runtime: SourceClientRuntime,
  ): SourceConnectorClient;
}

/** Types a spec's `env` once, so `requiredVariables` and `createClient` see the platform's own variables. */
export function defineSourceConnector<Env extends z.ZodRawShape>(
  spec: SourceConnectorSpec<Env>,
): SourceConnectorSpec<Env> {
  return spec;
}

/** The value of a variable `requiredVariables` made mandatory (the service checked it at start). */
function required<E extends object>(env: E, name: keyof E & string): string {
  const value: unknown = env[name];
  if (typeof value !== 'string' || value === '')
    throw new Error(`${name} is required`);
  return value;
}

/** Building blocks of a spec's `env` and `createClient`. */
export const sourceEnv = {
  /** An optional, non-secret variable (a credential `requiredVariables` makes mandatory). */
  optional: (description: string) =>
    z.string().min(1).optional().describe(description),
  /** A secret variable: described `secret: …`, so `loadConfig` redacts it and never echoes it in an error. */
  secret: (description: string) =>
    z.string().min(1).optional().describe(`secret: ${description}`),
  /** The platform's origin (`<PLATFORM>_BASE_URL`), by default its local simulator. */
  baseUrl: (simulatorUrl: string, description: string) =>
    z.string().url().default(simulatorUrl).describe(description),
  /** `endpoint.variable`: by default the local simulator, described `<label> (prod <production origin>)`. */
  origin: (endpoint: SourceEndpoint, label: string) =>
    z
      .string()
      .url()
      .default(`http://127.0.0.1:${endpoint.simulatorPort}`)
      .describe(`${label} (prod ${endpoint.production})`),
  required,
};

/** A credential variable: its name, its description, and `secret` for one never echoed (redacted in errors). */
export type SourceCredential = readonly [
  variable: string,
  description: string,
  kind?: 'secret',
];

/**
 * A platform's credentials, each named once: the spec's `env` entries (`...credentials.env`), what
 * `requiredVariables` lists (`...credentials.required`: all required when `CONNECTOR_ID` is the platform) and the
 * client's credentials object (`credentials.read(env)`, keyed as declared). E.g.
 * `sourceCredentials({ appKey: ['WDT_APP_KEY', 'WDT appkey'], appSecret: ['WDT_APP_SECRET', 'WDT app secret', 'secret'] })`.
 */
export function sourceCredentials<
  const C extends Readonly<Record<string, SourceCredential>>,
>(spec: C) {
  type Variable = C[keyof C][0];
  const entries = Object.entries(spec) as [
    keyof C & string,
    SourceCredential,
  ][];
  return {
    env: Object.fromEntries(
      entries.map(([, [variable, description, kind]]) => [
        variable,
        kind === 'secret'
          ? sourceEnv.secret(description)
          : sourceEnv.optional(description),
      ]),
    ) as Record<Variable, ReturnType<typeof sourceEnv.optional>>,
    required: entries.map(([, [name]]): RequiredVariable => ({ name })),
    read: (
      env: Readonly<Partial<Record<Variable, string>>>,
    ): { readonly [K in keyof C]: string } =>
      Object.fromEntries(
        entries.map(([key, [variable]]) => [
          key,
          required(env as Readonly<Record<string, unknown>>, variable),
        ]),
      ) as { readonly [K in keyof C]: string },
  };
}
