import { z } from 'zod';
import {
  AdminError,
  FaultInjector,
  faultConfigSchema,
  RequestLog,
  startSimServer as startCommonSimServer,
  type AdminRoute,
  type FaultKind,
  type ServerStats,
  type SimRequest,
  type SimResult,
} from '../../common';

export { headerValue, type AdminRoute, type SimRequest } from '../../common';

/** A Kingdee answer as the platform sends it: the body already serialised. */
export interface PlatformResponse {
  readonly status: number;
  readonly headers?: Record<string, string | string[]>;
  readonly body: string;
}

/** What a Kingdee platform plugs into the simulator HTTP stack: its handler and the shapes of its error answers. */
export interface PlatformBehaviour {
  readonly name: string;
  handle(req: SimRequest): Promise<PlatformResponse>;
  /** Answer when more requests are in flight than the concurrency limit allows. */
  overLimit(req: SimRequest): PlatformResponse;
  /** The platform's own business-error envelope, used for injected `error` faults and handler crashes. */
  injectedError(req: SimRequest): PlatformResponse;
  readonly adminRoutes: readonly AdminRoute[];
  reset(): void;
  extraStats?(): Record<string, unknown>;
}

export interface SimServerOptions {
  readonly host: string;
  readonly port: number;
  readonly admin: boolean;
  readonly maxConcurrent: number;
  readonly rateLimitPerMinute: number;
  readonly faults: z.input<typeof faultConfigSchema>;
  readonly seed: number;
}

export type SimStats = ServerStats;

export interface SimServerHandle {
  readonly url: string;
  readonly port: number;
  readonly faults: FaultInjector;
  stats(): SimStats;
  close(): Promise<void>;
}

/** Programmatic-only hooks (tests). */
export interface SimulatorDeps {
  /** Clock in epoch ms, for session and token expiry. */
  readonly now?: () => number;
  /**
   * Called once a request has been handled (a write is stored) and before its
   * answer is sent or dropped (`fault` = `lost-response`): the moment "Kingdee
   * accepted it, the client never learned it", e.g. to kill the client there.
   */
  readonly afterHandle?: (info: {
    readonly path: string;
    readonly fault: FaultKind | undefined;
  }) => void | Promise<void>;
}

export const simServerOptionsShape = {
  host: z.string().default('127.0.0.1').describe('Listen address'),
  port: z
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(0)
    .describe('Listen port (0 = any free port)'),
  admin: z.boolean().default(false).describe('Serve /__admin/ endpoints'),
  maxConcurrent: z
    .number()
    .int()
    .min(1)
    .default(8)
    .describe('Requests in flight above this get the over-limit answer'),
  rateLimitPerMinute: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe(
      'Requests accepted per sliding minute (0 = unlimited); beyond it the over-limit answer',
    ),
  faults: faultConfigSchema.default(faultConfigSchema.parse({})),
  seed: z
    .number()
    .int()
    .default(1)
    .describe('Seed for fault draws and latency samples'),
};

/** Bill-number uniqueness of the simulated form (every Kingdee simulator). */
export const uniqueBillNoShape = {
  uniqueBillNo: z
    .boolean()
    .default(true)
    .describe(
      'Refuse a second bill with the same number; false = a form without a unique bill-number rule, which stores the duplicate',
    ),
};

export function jsonResponse(
  status: number,
  value: unknown,
  headers: Record<string, string | string[]> = {},
): PlatformResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(value),
  };
}

/**
 * A platform's business answer: HTTP 200 with a JSON envelope of a code, a message and data, under the
 * platform's own key names (in that order).
 */
export function envelopeAnswer([codeKey, messageKey, dataKey]: readonly [
  string,
  string,
  string,
]): (code: number, message: string, data?: unknown) => PlatformResponse {
  return (code, message, data = null) =>
    jsonResponse(200, {
      [codeKey]: code,
      [messageKey]: message,
      [dataKey]: data,
    });
}

const MAX_BODY_BYTES = 32 * 1024 * 1024;

/** The page IIS in front of a Kingdee server answers with when the application behind it fails. */
const IIS_ERROR_PAGE =
  '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>' +
  '<h1>502 - Web 服务器在作为网关或代理服务器时收到了无效响应。</h1></body></html>';

function asResult(
  response: PlatformResponse,
  outcome?: SimResult['outcome'],
): SimResult {
  return {
    status: response.status,
    text: response.body,
    ...(response.headers ? { headers: response.headers } : {}),
    outcome: outcome ?? (response.status < 400 ? 'ok' : 'rejected'),
  };
}

/** Starts one Kingdee platform on the simulator HTTP stack (`startSimServer` of `common/`). */
export async function startSimServer(
  behaviour: PlatformBehaviour,
  options: SimServerOptions,
  deps: Pick<SimulatorDeps, 'afterHandle'> = {},
): Promise<SimServerHandle> {
  const faults = new FaultInjector(options.faults, options.seed);
  const server = await startCommonSimServer(
    {
      name: behaviour.name,
      clock: Date.now,
      faults,
      log: new RequestLog(1000),
      adminEnabled: options.admin,
      endpointOf: (req) => req.path,
      handle: async (req) => asResult(await behaviour.handle(req)),
      platformError: (_kind, req) => asResult(behaviour.injectedError(req)),
      overLimit: (req) => asResult(behaviour.overLimit(req), 'throttled'),
      limits: {
        maxConcurrent: options.maxConcurrent,
        rateLimitPerMinute: options.rateLimitPerMinute,
      },
      htmlErrorPage: IIS_ERROR_PAGE,
      ...(deps.afterHandle ? { afterHandle: deps.afterHandle } : {}),
      adminRoutes: [...behaviour.adminRoutes],
      onReset: () => behaviour.reset(),
      ...(behaviour.extraStats
        ? { extraStats: () => behaviour.extraStats?.() ?? {} }
        : {}),
    },
    { host: options.host, port: options.port, maxBodyBytes: MAX_BODY_BYTES },
  );
  return { ...server, faults };
}

export function parseJsonOrUndefined(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * `POST /__admin/master-data`: validates the JSON body (`whenEmpty` stands for an empty or invalid
 * body) with `schema` — 400 `invalid master-data body` with the issues otherwise — then `apply`.
 */
export function masterDataPostRoute<S extends z.ZodType>(
  schema: S,
  whenEmpty: unknown,
  apply: (body: z.output<S>) => unknown,
): AdminRoute {
  return {
    method: 'POST',
    path: '/master-data',
    handle: (req) => {
      const parsed = schema.safeParse(
        parseJsonOrUndefined(req.body) ?? whenEmpty,
      );
      if (!parsed.success)
        throw new AdminError(400, 'invalid master-data body', {
          issues: parsed.error.issues,
        });
      return apply(parsed.data);
    },
  };
}
