import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { FaultInjector } from './fault-injector';
import {
  faultConfigSchema,
  type FaultConfig,
  type FaultKind,
} from './kingdee-fault.schema';

export interface SimRequest {
  readonly method: string;
  readonly path: string;
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: string;
}

export interface SimResponse {
  readonly status: number;
  readonly headers?: Record<string, string | string[]>;
  readonly body: string;
}

export interface AdminRoute {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  handle(req: SimRequest): SimResponse | Promise<SimResponse>;
}

/** What a platform plugs into the shared runtime: its handler and the shapes of its error answers. */
export interface PlatformBehaviour {
  readonly name: string;
  handle(req: SimRequest): Promise<SimResponse>;
  /** Answer when more requests are in flight than the concurrency limit allows. */
  overLimit(req: SimRequest): SimResponse;
  /** The platform's own business-error envelope, used for injected `error` faults and handler crashes. */
  injectedError(req: SimRequest): SimResponse;
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
  readonly faults: FaultConfig;
  readonly seed: number;
}

export interface SimStats {
  requests: number;
  byPath: Record<string, number>;
  inFlight: number;
  maxConcurrent: number;
  rejectedOverLimit: number;
  rejectedRateLimited: number;
  faults: Partial<Record<FaultKind, number>>;
}

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
): SimResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(value),
  };
}

export interface RequestLogEntry {
  readonly at: string;
  readonly method: string;
  readonly path: string;
  /** 0 when no answer was sent (reset, hang, lost response). */
  readonly status: number;
  readonly fault?: FaultKind;
  readonly durationMs: number;
}

const REQUEST_LOG_SIZE = 1000;

const MAX_BODY_BYTES = 32 * 1024 * 1024;

const HTML_ERROR_PAGE =
  '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>' +
  '<h1>502 - Web 服务器在作为网关或代理服务器时收到了无效响应。</h1></body></html>';

export async function startSimServer(
  behaviour: PlatformBehaviour,
  options: SimServerOptions,
  deps: Pick<SimulatorDeps, 'afterHandle'> = {},
): Promise<SimServerHandle> {
  const faults = new FaultInjector(options.faults, options.seed);
  let stats = emptyStats();
  const requestLog: RequestLogEntry[] = [];
  const acceptedAt: number[] = [];

  const commonAdmin: AdminRoute[] = [
    {
      method: 'GET',
      path: '/__admin/stats',
      handle: () =>
        jsonResponse(200, { ...stats, ...behaviour.extraStats?.() }),
    },
    {
      method: 'GET',
      path: '/__admin/faults',
      handle: () => jsonResponse(200, faults.current()),
    },
    {
      method: 'GET',
      path: '/__admin/requests',
      handle: () => jsonResponse(200, requestLog),
    },
    {
      method: 'POST',
      path: '/__admin/faults',
      handle: (req) => {
        // Partial body, merged into the current config (same semantics as the source simulators).
        const body = z
          .record(z.string(), z.unknown())
          .safeParse(parseJsonOrUndefined(req.rawBody) ?? {});
        if (!body.success)
          return jsonResponse(400, {
            error: 'fault config must be a JSON object',
          });
        const parsed = faultConfigSchema.safeParse({
          ...faults.current(),
          ...body.data,
        });
        if (!parsed.success)
          return jsonResponse(400, {
            error: 'invalid fault config',
            issues: parsed.error.issues,
          });
        return jsonResponse(200, faults.replace(parsed.data));
      },
    },
    {
      method: 'POST',
      path: '/__admin/reset',
      handle: () => {
        behaviour.reset();
        faults.reset();
        stats = emptyStats();
        requestLog.length = 0;
        return jsonResponse(200, { ok: true });
      },
    },
  ];
  const adminRoutes = [...commonAdmin, ...behaviour.adminRoutes];

  const server = createServer((req, res) => {
    void serve(req, res);
  });

  async function serve(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator.local');
    if (url.pathname.startsWith('/__admin/')) {
      const simReq = await readRequest(req, url);
      if (!simReq) return void res.destroy();
      if (!options.admin)
        return write(
          res,
          jsonResponse(404, { error: 'admin endpoints are disabled' }),
        );
      const route = adminRoutes.find(
        (r) => r.method === req.method && r.path === url.pathname,
      );
      if (!route)
        return write(
          res,
          jsonResponse(404, {
            error: `no admin route ${req.method} ${url.pathname}`,
          }),
        );
      try {
        return write(res, await route.handle(simReq));
      } catch (err) {
        return write(
          res,
          jsonResponse(500, {
            error: err instanceof Error ? err.message : String(err),
          }),
        );
      }
    }

    stats.requests += 1;
    const pathKey = url.pathname.toLowerCase();
    stats.byPath[pathKey] = (stats.byPath[pathKey] ?? 0) + 1;
    stats.inFlight += 1;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      stats.inFlight -= 1;
    };
    const startedAt = Date.now();
    let fault: FaultKind | undefined = undefined;
    res.once('close', () => {
      release();
      requestLog.push({
        at: new Date(startedAt).toISOString(),
        method: req.method ?? 'GET',
        path: url.pathname,
        status: res.headersSent ? res.statusCode : 0,
        ...(fault ? { fault } : {}),
        durationMs: Date.now() - startedAt,
      });
      if (requestLog.length > REQUEST_LOG_SIZE) requestLog.shift();
    });

    const simReq = await readRequest(req, url);
    if (!simReq) return void res.destroy();
    if (stats.inFlight > options.maxConcurrent) {
      stats.rejectedOverLimit += 1;
      release();
      return write(res, behaviour.overLimit(simReq));
    }
    if (options.rateLimitPerMinute > 0) {
      const nowMs = Date.now();
      while (acceptedAt.length > 0 && (acceptedAt[0] ?? 0) <= nowMs - 60_000)
        acceptedAt.shift();
      if (acceptedAt.length >= options.rateLimitPerMinute) {
        stats.rejectedRateLimited += 1;
        release();
        return write(res, behaviour.overLimit(simReq));
      }
      acceptedAt.push(nowMs);
    }
    stats.maxConcurrent = Math.max(stats.maxConcurrent, stats.inFlight);

    fault = faults.pick(url.pathname);
    if (fault) stats.faults[fault] = (stats.faults[fault] ?? 0) + 1;
    if (fault === 'reset') return void req.socket.destroy();
    if (fault === 'hang') return;

    const delay = faults.latencyMs(url.pathname);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if (res.destroyed) {
      // The client gave up (timeout) while the server was busy: like IIS, the request is still carried out.
      if (fault === undefined || fault === 'lost-response')
        await behaviour.handle(simReq).catch(() => undefined);
      return;
    }

    switch (fault) {
      case 'http-5xx':
        return write(res, {
          status: faults.pick5xx(),
          headers: { 'content-type': 'text/plain' },
          body: 'Service Unavailable',
        });
      case 'html-error':
        return write(res, {
          status: 502,
          headers: { 'content-type': 'text/html; charset=utf-8' },
          body: HTML_ERROR_PAGE,
        });
      case 'empty-body':
        return write(res, {
          status: 200,
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body: '',
        });
      case 'error':
        return write(res, behaviour.injectedError(simReq));
      case 'over-limit':
        return write(res, behaviour.overLimit(simReq));
      default:
        break;
    }

    let response: SimResponse;
    try {
      response = await behaviour.handle(simReq);
    } catch {
      response = behaviour.injectedError(simReq);
    }
    await deps.afterHandle?.({ path: url.pathname, fault });
    if (fault === 'lost-response') {
      // The write is done; the client must not learn it.
      if (faults.current().lostResponseMode === 'reset') req.socket.destroy();
      return;
    }
    write(res, response);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://${options.host}:${port}`,
    port,
    faults,
    stats: () => structuredClone(stats),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function emptyStats(): SimStats {
  return {
    requests: 0,
    byPath: {},
    inFlight: 0,
    maxConcurrent: 0,
    rejectedOverLimit: 0,
    rejectedRateLimited: 0,
    faults: {},
  };
}

async function readRequest(
  req: IncomingMessage,
  url: URL,
): Promise<SimRequest | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > MAX_BODY_BYTES) return undefined;
      chunks.push(buf);
    }
  } catch {
    return undefined;
  }
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    url,
    headers: req.headers,
    rawBody: Buffer.concat(chunks).toString('utf8'),
  };
}

function write(res: ServerResponse, response: SimResponse): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(response.status, {
    ...response.headers,
    'content-length': Buffer.byteLength(response.body),
  });
  res.end(response.body);
}

export function parseJsonOrUndefined(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function headerValue(
  headers: IncomingHttpHeaders,
  name: string,
): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * `POST /__admin/master-data`: validates the JSON body (`whenEmpty` stands for an empty or invalid
 * body) with `schema` — 400 `invalid master-data body` with the issues otherwise — then `apply`.
 */
export function masterDataPostRoute<S extends z.ZodType>(
  schema: S,
  whenEmpty: unknown,
  apply: (body: z.output<S>) => SimResponse,
): AdminRoute {
  return {
    method: 'POST',
    path: '/__admin/master-data',
    handle: (req) => {
      const parsed = schema.safeParse(
        parseJsonOrUndefined(req.rawBody) ?? whenEmpty,
      );
      if (!parsed.success)
        return jsonResponse(400, {
          error: 'invalid master-data body',
          issues: parsed.error.issues,
        });
      return apply(parsed.data);
    },
  };
}
