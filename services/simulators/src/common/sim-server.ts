import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ZodError } from 'zod';
import { admissionMiddleware, faultMiddleware } from './sim-middleware';
import { stringifyWithBigInt } from './json-bigint.util';
import type {
  AdminRoute,
  Exchange,
  Middleware,
  Reply,
  ServerStats,
  SimRequest,
  SimResponse,
  SimResult,
  SimServerSpec,
} from './sim-types';

/** A 4xx/5xx admin answer: `{ error: message, ...details }`. */
export class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface RunningSimServer {
  url: string;
  port: number;
  stats(): ServerStats;
  /** Stops listening and destroys every open connection (including hung ones). */
  close(): Promise<void>;
}

export interface ListenOptions {
  host?: string;
  /** 0 = any free port (tests). */
  port?: number;
  /** Max accepted body size in bytes (default 10 MiB). */
  maxBodyBytes?: number;
}

/**
 * Starts a simulator on node:http. Every source and Kingdee simulator runs on this one stack.
 *
 * Request pipeline for non-admin paths: read body -> `endpointOf` -> admission (concurrency and rate
 * limits -> `overLimit`) -> faults (queued or drawn: reset / hang / 5xx / HTML / empty body / platform
 * error, then latency; after the handler: lost response / garbage) -> `handle` -> answer -> request log.
 * Admin paths (`/__admin/...`) answer 404 unless `adminEnabled`; built-in admin routes:
 * `GET /faults`, `POST /faults` (partial fault config, merged), `GET /requests`, `GET /stats`,
 * `POST /reset`; plus the simulator's own `adminRoutes`.
 */
export async function startSimServer(
  spec: SimServerSpec,
  options: ListenOptions = {},
): Promise<RunningSimServer> {
  const maxBody = options.maxBodyBytes ?? 10 * 1024 * 1024;
  const sockets = new Set<Socket>();
  const hung = new Set<ServerResponse>();
  let stats = emptyStats();
  const pipeline: Middleware[] = [
    admissionMiddleware(spec),
    faultMiddleware(spec),
  ];

  const adminRoutes = [...builtinAdmin(), ...(spec.adminRoutes ?? [])];
  function builtinAdmin(): AdminRoute[] {
    return [
      { method: 'GET', path: '/faults', handle: () => spec.faults.current },
      {
        method: 'POST',
        path: '/faults',
        handle: (req) => {
          const body = parseJsonBody(req);
          if (body === null || typeof body !== 'object' || Array.isArray(body))
            throw new AdminError(400, 'fault config must be a JSON object');
          try {
            return spec.faults.update(body);
          } catch (err) {
            if (err instanceof ZodError)
              throw new AdminError(400, 'invalid fault config', {
                issues: err.issues,
              });
            throw err;
          }
        },
      },
      { method: 'GET', path: '/requests', handle: () => spec.log.list() },
      {
        method: 'GET',
        path: '/stats',
        handle: () => ({
          ...spec.log.summary(),
          ...structuredClone(stats),
          ...spec.extraStats?.(),
        }),
      },
      {
        method: 'POST',
        path: '/reset',
        handle: () => {
          spec.log.clear();
          stats = emptyStats();
          spec.faults.reset();
          spec.onReset?.();
          return { ok: true };
        },
      },
    ];
  }

  const server = createServer((req, res) => {
    void serve(req, res).catch(() => {
      if (!res.headersSent)
        writeResponse(res, { status: 500, text: 'internal simulator error' });
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function serve(
    raw: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const wallAt = Date.now();
    const at = spec.clock();
    const url = new URL(raw.url ?? '/', 'http://localhost');
    const admin =
      url.pathname === '/__admin' || url.pathname.startsWith('/__admin/');
    let released = true;
    const release = (): void => {
      if (released) return;
      released = true;
      stats.inFlight -= 1;
    };
    if (!admin) {
      stats.requests += 1;
      const pathKey = url.pathname.toLowerCase();
      stats.byPath[pathKey] = (stats.byPath[pathKey] ?? 0) + 1;
      stats.inFlight += 1;
      released = false;
      res.once('close', release);
    }
    const read = await readBody(raw, maxBody);
    if (!read) return void res.destroy();
    const { body, tooLarge } = read;
    const contentType = (raw.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim()
      .toLowerCase();
    const req: SimRequest = {
      method: (raw.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      query: url.searchParams,
      headers: raw.headers,
      body,
      contentType,
      form:
        contentType === 'application/x-www-form-urlencoded'
          ? new URLSearchParams(body)
          : new URLSearchParams(),
      at,
      wallAt,
      inFlight: stats.inFlight,
      remoteAddress: (raw.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
    };
    if (admin) return serveAdmin(req, res);

    const endpoint = tooLarge ? req.path : safeEndpoint(req);
    const exchange: Exchange = { req, res, endpoint, stats, release };
    const reply = tooLarge
      ? spec.platformError('too_large', req)
      : await run(exchange, 0);
    const { fault } = reply;
    if (fault) stats.faults[fault] = (stats.faults[fault] ?? 0) + 1;
    spec.log.add({
      at,
      wallAt,
      method: req.method,
      path: req.path,
      endpoint,
      status: reply.status ?? 0,
      outcome: fault
        ? 'fault'
        : 'drop' in reply
          ? 'ok'
          : (reply.outcome ?? 'ok'),
      ...(!('drop' in reply) && reply.code !== undefined
        ? { code: String(reply.code) }
        : {}),
      ...(fault ? { fault } : {}),
      durationMs: Date.now() - wallAt,
    });
    if (!('drop' in reply)) return writeResponse(res, reply);
    if (reply.drop === 'reset') return void res.socket?.destroy();
    hung.add(res);
    res.once('close', () => hung.delete(res));
  }

  /** Runs middleware `i` (then the next ones, then the handler). */
  function run(exchange: Exchange, i: number): Promise<Reply> {
    const middleware = pipeline[i];
    if (middleware) return middleware(exchange, () => run(exchange, i + 1));
    return handle(exchange);
  }

  async function handle({ req, endpoint }: Exchange): Promise<SimResult> {
    let result: SimResult;
    try {
      result = await spec.handle(req, endpoint);
    } catch {
      result = spec.platformError('internal', req);
    }
    if (result.delayMs !== undefined && result.delayMs > 0) {
      const ms = result.delayMs;
      await new Promise((r) => setTimeout(r, ms));
    }
    return result;
  }

  function safeEndpoint(req: SimRequest): string {
    try {
      return spec.endpointOf(req);
    } catch {
      return req.path;
    }
  }

  async function serveAdmin(
    req: SimRequest,
    res: ServerResponse,
  ): Promise<void> {
    if (!spec.adminEnabled) {
      writeResponse(res, {
        status: 404,
        body: { error: 'admin disabled (set SIM_ADMIN=1)' },
      });
      return;
    }
    const sub = req.path.slice('/__admin'.length) || '/';
    const route = adminRoutes.find(
      (r) => r.path === sub && r.method === req.method,
    );
    if (!route) {
      writeResponse(res, {
        status: 404,
        body: {
          error: `no admin route ${req.method} ${sub}`,
          routes: adminRoutes.map((r) => `${r.method} /__admin${r.path}`),
        },
      });
      return;
    }
    try {
      writeResponse(res, { status: 200, body: await route.handle(req) });
    } catch (err) {
      if (err instanceof AdminError)
        writeResponse(res, {
          status: err.status,
          body: { error: err.message, ...err.details },
        });
      else if (err instanceof ZodError)
        writeResponse(res, {
          status: 400,
          body: { error: 'invalid admin request', issues: err.issues },
        });
      else
        writeResponse(res, {
          status: 500,
          body: { error: err instanceof Error ? err.message : 'admin error' },
        });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () =>
      resolve(),
    );
  });
  const address = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    stats: () => structuredClone(stats),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hung) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
      }),
  };
}

function emptyStats(): ServerStats {
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

/** Parses an admin request's JSON body ('' -> {}). Throws AdminError(400) on bad JSON. */
export function parseJsonBody(req: SimRequest): unknown {
  if (req.body.trim() === '') return {};
  try {
    return JSON.parse(req.body) as unknown;
  } catch {
    throw new AdminError(400, 'body is not valid JSON');
  }
}

/** Writes one answer with its Content-Length (nothing when the client is gone or an answer was sent). */
export function writeResponse(
  res: ServerResponse,
  response: SimResponse,
): void {
  if (res.destroyed || res.headersSent) return;
  const text =
    response.text ??
    (response.body === undefined ? '' : stringifyWithBigInt(response.body));
  res.writeHead(response.status, {
    'content-type':
      response.text === undefined
        ? 'application/json; charset=utf-8'
        : 'text/plain; charset=utf-8',
    ...response.headers,
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readBody(
  req: IncomingMessage,
  max: number,
): Promise<{ body: string; tooLarge: boolean } | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  try {
    for await (const chunk of req) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > max) tooLarge = true;
      else chunks.push(buf);
    }
  } catch {
    return undefined;
  }
  return {
    body: tooLarge ? '' : Buffer.concat(chunks).toString('utf8'),
    tooLarge,
  };
}

export function headerValue(
  headers: IncomingHttpHeaders,
  name: string,
): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
