import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ZodError } from 'zod';
import type { FaultInjector } from './fault-injector';
import type {
  FaultConfigInput,
  GarbageKind,
  LoggedFault,
} from './fault.schema';
import { stringifyWithBigInt } from './json-bigint.util';
import type { RequestLog, RequestOutcome } from './request-log';

/** A parsed incoming request, as handed to a simulator. */
export interface SimRequest {
  method: string;
  /** Path without query string, e.g. `/open/openapi/do`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Raw body (UTF-8). */
  body: string;
  /** Lower-cased media type without parameters (`application/x-www-form-urlencoded`), '' when absent. */
  contentType: string;
  /** Parsed body when the content type is form-urlencoded, else empty. */
  form: URLSearchParams;
  /** Simulator-clock ms at arrival. */
  at: number;
  /** Wall-clock ms at arrival. */
  wallAt: number;
  /** Non-admin requests in flight on this simulator, this one included (for concurrency limits). */
  inFlight: number;
  /** Client address as seen by the socket (e.g. `127.0.0.1`). */
  remoteAddress: string;
}

/** An answer. `body` is JSON-serialised (bigint -> bare integer literal) unless `text` is given. */
export interface SimResponse {
  status: number;
  body?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

/** A handler's answer plus what the request log records about it. */
export interface SimResult extends SimResponse {
  outcome: RequestOutcome;
  /** Platform code of the answer (logged, e.g. '10', '0130020327'). */
  code?: string | number;
  /** A fault the handler itself injected (e.g. 'corrupt_record'), for the request log. */
  fault?: LoggedFault;
  /** Extra real-time delay before answering (e.g. query cost proportional to the rows scanned). */
  delayMs?: number;
}

/** Extra admin route of one simulator, served under `/__admin<path>` when admin is enabled. */
export interface AdminRoute {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path after `/__admin`, e.g. `/records`. */
  path: string;
  /** Returns the JSON answer (HTTP 200). Throw `AdminError` or a ZodError for a 4xx. */
  handle(req: SimRequest): unknown;
}

export class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** What a simulator plugs into the shared HTTP framework. */
export interface SimServerSpec {
  /** Short name, used in logs (`jackyun`, `k3cloud`, …). */
  name: string;
  clock: () => number;
  faults: FaultInjector;
  log: RequestLog;
  adminEnabled: boolean;
  /** Endpoint name of a non-admin request (API method name or path); used by fault filters and the log. */
  endpointOf(req: SimRequest): string;
  /** Serves one non-admin request. Thrown errors become `platformError('internal')` (never a stack trace). */
  handle(req: SimRequest, endpoint: string): SimResult | Promise<SimResult>;
  /** The platform's own error envelope for an injected error, an internal error or an unknown path. */
  platformError(
    kind: 'fault' | 'internal' | 'not_found' | 'too_large',
    req: SimRequest,
  ): SimResult;
  adminRoutes?: AdminRoute[];
  /** Called by `POST /__admin/reset` (after the log is cleared and faults are restored). */
  onReset?(): void;
}

export interface RunningSimServer {
  url: string;
  port: number;
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
 * Starts a simulator on node:http.
 *
 * Request pipeline for non-admin paths: read body -> `endpointOf` -> injected latency -> fault draw
 * (reset / hang / 5xx / platform error) -> `handle` -> lost-response draw -> answer -> request log.
 * Admin paths (`/__admin/...`) answer 404 unless `adminEnabled`; built-in admin routes:
 * `GET /faults`, `POST /faults` (partial FaultConfig, merged), `GET /requests`, `GET /stats`,
 * `POST /reset`; plus the simulator's own `adminRoutes`.
 */
export async function startSimServer(
  spec: SimServerSpec,
  options: ListenOptions = {},
): Promise<RunningSimServer> {
  const initialFaults: FaultConfigInput = structuredClone(spec.faults.current);
  const maxBody = options.maxBodyBytes ?? 10 * 1024 * 1024;
  const sockets = new Set<Socket>();
  const hung = new Set<ServerResponse>();
  let inFlight = 0;

  const builtinAdmin: AdminRoute[] = [
    { method: 'GET', path: '/faults', handle: () => spec.faults.current },
    {
      method: 'POST',
      path: '/faults',
      handle: (req) =>
        spec.faults.update(parseJsonBody(req) as FaultConfigInput),
    },
    { method: 'GET', path: '/requests', handle: () => spec.log.list() },
    { method: 'GET', path: '/stats', handle: () => spec.log.summary() },
    {
      method: 'POST',
      path: '/reset',
      handle: () => {
        spec.log.clear();
        spec.faults.replace(initialFaults);
        spec.onReset?.();
        return { ok: true };
      },
    },
  ];
  const adminRoutes = [...builtinAdmin, ...(spec.adminRoutes ?? [])];

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
    const { body, tooLarge } = await readBody(raw, maxBody);
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
      inFlight: 0,
      remoteAddress: (raw.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
    };

    if (req.path === '/__admin' || req.path.startsWith('/__admin/')) {
      await serveAdmin(req, res);
      return;
    }

    inFlight++;
    req.inFlight = inFlight;
    let released = false;
    const release = (): void => {
      if (!released) {
        released = true;
        inFlight--;
      }
    };
    res.on('close', release);
    const endpoint = tooLarge ? req.path : safeEndpoint(req);
    const record = (result: SimResult, injected?: LoggedFault): void => {
      const fault = injected ?? result.fault;
      spec.log.add({
        at,
        wallAt,
        method: req.method,
        path: req.path,
        endpoint,
        status: result.status,
        outcome: fault ? 'fault' : result.outcome,
        ...(result.code !== undefined ? { code: String(result.code) } : {}),
        ...(fault ? { fault } : {}),
        durationMs: Date.now() - wallAt,
      });
    };
    try {
      if (tooLarge) {
        const result = spec.platformError('too_large', req);
        record(result);
        writeResponse(res, result);
        return;
      }
      const delay = spec.faults.latencyMs(endpoint);
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      const fault = spec.faults.decide(endpoint);
      if (fault === 'reset') {
        record({ status: 0, outcome: 'fault' }, 'reset');
        res.socket?.destroy();
        return;
      }
      if (fault === 'hang') {
        record({ status: 0, outcome: 'fault' }, 'hang');
        hung.add(res);
        res.on('close', () => hung.delete(res));
        return;
      }
      if (fault === 'http5xx') {
        const status = spec.faults.pick5xx();
        const result: SimResult = {
          status,
          text: `${status} Service Unavailable`,
          outcome: 'fault',
          headers: { 'content-type': 'text/plain; charset=utf-8' },
        };
        record(result, 'http5xx');
        writeResponse(res, result);
        return;
      }
      if (fault === 'error') {
        const result = spec.platformError('fault', req);
        record(result, 'error');
        writeResponse(res, result);
        return;
      }
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
      if (spec.faults.loseResponse(endpoint)) {
        record(result, 'lost_response');
        res.socket?.destroy();
        return;
      }
      const garbage = spec.faults.garble(endpoint);
      if (garbage) {
        const broken = garble(result, garbage);
        record(broken, 'garbage');
        writeResponse(res, broken);
        return;
      }
      record(result);
      writeResponse(res, result);
    } finally {
      if (!hung.has(res)) release();
    }
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
          body: { error: err.message },
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
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hung) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
      }),
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

function garble(result: SimResult, kind: GarbageKind): SimResult {
  const text =
    result.text ??
    (result.body === undefined ? '' : stringifyWithBigInt(result.body));
  const headers = { 'content-type': 'application/json; charset=utf-8' };
  switch (kind) {
    case 'truncated':
      return {
        ...result,
        status: 200,
        headers,
        text: text.slice(0, Math.max(1, Math.floor(text.length / 2))),
      };
    case 'html':
      return {
        ...result,
        status: 200,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        text: '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>',
      };
    case 'empty':
      return { ...result, status: 200, headers, text: '' };
  }
}

function writeResponse(res: ServerResponse, response: SimResponse): void {
  const text =
    response.text ??
    (response.body === undefined ? '' : stringifyWithBigInt(response.body));
  const headers: Record<string, string> = {
    'content-type':
      response.text === undefined
        ? 'application/json; charset=utf-8'
        : 'text/plain; charset=utf-8',
    ...response.headers,
  };
  res.writeHead(response.status, headers);
  res.end(text);
}

async function readBody(
  req: IncomingMessage,
  max: number,
): Promise<{ body: string; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > max) tooLarge = true;
    else chunks.push(buf);
  }
  return {
    body: tooLarge ? '' : Buffer.concat(chunks).toString('utf8'),
    tooLarge,
  };
}
