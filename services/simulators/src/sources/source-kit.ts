import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  FaultInjector,
  readNdjsonFile,
  RequestLog,
  startSimServer,
  type AdminRoute,
  type RunningSimServer,
  type SimServerSpec,
} from '../common';
import type { DataSettings, SourceAdminApi } from './source-admin';
import { SourceDataset, type DatasetSpec } from './source-dataset';
import type { SourceBaseOptions } from './source-options.schema';

/** What every `start*Simulator` returns. */
export interface SourceSimulator {
  url: string;
  port: number;
  close(): Promise<void>;
  admin: SourceAdminApi;
}

/** Accepts a number or a decimal string (`"50"`), as gateways that take everything as text do. */
export const intLike = z.union([
  z.number().int(),
  z
    .string()
    .regex(/^-?\d+$/)
    .transform(Number),
]);

/** Shared plumbing of a source simulator built from its parsed options. */
export function sourcePlumbing<T>(
  options: SourceBaseOptions,
  clock: (() => number) | undefined,
  recordSchema: z.ZodType<T>,
  fixtures: T[] | undefined,
): {
  clock: () => number;
  faults: FaultInjector;
  log: RequestLog;
  anchor: number;
  historyMs: number;
  fixtures: T[] | undefined;
} {
  const c = clock ?? Date.now;
  const fromFile = options.fixturesFile
    ? readNdjsonFile(options.fixturesFile).map((line, i) => {
        const parsed = recordSchema.safeParse(line);
        if (!parsed.success)
          throw new Error(
            `${options.fixturesFile}: record ${i + 1}: ${parsed.error.message}`,
          );
        return parsed.data;
      })
    : undefined;
  return {
    clock: c,
    faults: new FaultInjector(options.faults),
    log: new RequestLog(),
    anchor: options.anchor ?? c(),
    historyMs: options.historyDays * 86_400_000,
    fixtures: fixtures ?? fromFile,
  };
}

/** Opaque cursor bound to one query (scrollId-style), stamped with its issue time. */
export function encodeCursor(
  queryKey: string,
  offset: number,
  issuedAt = 0,
): string {
  return Buffer.from(
    JSON.stringify({ q: queryKey, o: offset, t: issuedAt }),
    'utf8',
  ).toString('base64url');
}

/** Offset of a cursor issued for `queryKey` no longer than `ttlMs` before `now`, else null. */
export function decodeCursor(
  cursor: string,
  queryKey: string,
  now = 0,
  ttlMs = Number.POSITIVE_INFINITY,
): number | null {
  try {
    const parsed = z
      .object({ q: z.string(), o: z.number().int().min(0), t: z.number() })
      .parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.q !== queryKey || now - parsed.t > ttlMs) return null;
    return parsed.o;
  } catch {
    return null;
  }
}

export function queryKeyOf(value: unknown): string {
  return createHash('sha1')
    .update(JSON.stringify(value))
    .digest('hex')
    .slice(0, 16);
}

export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue
    ? `${issue.path.join('.') || '参数'}: ${issue.message}`
    : '参数错误';
}

/** Sorts by a numeric key computed once per item (decorate-sort), ties broken by `tie`. */
export function sortByKey<T>(
  items: readonly T[],
  key: (item: T) => number,
  tie: (a: T, b: T) => number,
): T[] {
  return items
    .map((item) => ({ item, k: key(item) }))
    .sort((a, b) => a.k - b.k || tie(a.item, b.item))
    .map((e) => e.item);
}

/**
 * The `corruptRecordRate` fault: maybe replaces one row of a page by a copy whose first present
 * field among `fields` (ids, times) is removed or of the wrong type. Returns the (new) rows and
 * whether a row was corrupted. Stored records are never touched.
 */
export function corruptPage<R extends object>(
  rows: readonly R[],
  faults: FaultInjector,
  endpoint: string,
  fields: readonly string[],
): { rows: R[]; corrupted: boolean } {
  const index = faults.corruptIndex(endpoint, rows.length);
  const target = index === null ? undefined : rows[index];
  if (index === null || target === undefined)
    return { rows: [...rows], corrupted: false };
  const copy: Record<string, unknown> = {
    ...(target as Record<string, unknown>),
  };
  const present = fields.filter((f) => f in copy);
  const field = present[index % Math.max(1, present.length)];
  if (field === undefined) return { rows: [...rows], corrupted: false };
  if (faults.corruption() === 'remove') delete copy[field];
  else {
    const v = copy[field];
    copy[field] =
      typeof v === 'number' || typeof v === 'bigint'
        ? `${String(v)}x`
        : typeof v === 'string'
          ? 0
          : 'invalid';
  }
  const out = [...rows];
  out[index] = copy as R;
  return { rows: out, corrupted: true };
}

/** `queryCostMsPerThousand` as a `SimResult` fragment. */
export function queryCost(
  perThousandMs: number,
  matched: number,
): { delayMs?: number } {
  const ms = Math.round((perThousandMs * matched) / 1000);
  return ms > 0 ? { delayMs: ms } : {};
}

/** Run-time data settings of a simulator's evolving dataset: arrival / modification rates and page drift. */
export interface DataControl {
  /** Current `driftPerPage`. */
  drift(): number;
  /** `setData` for `createSourceAdmin`: applies the given settings, returns the page drift. */
  setData(settings: DataSettings): DataSettings;
  /** Back to the scenario's rates and drift. */
  reset(): void;
}

export function dataControl(
  dataset: {
    evolve(now: number): void;
    setRates(arrivalsPerMinute: number, modificationsPerMinute: number): void;
  },
  opts: {
    arrivalsPerMinute: number;
    modificationsPerMinute: number;
    driftPerPage: number;
  },
  clock: () => number,
): DataControl {
  let driftPerPage = opts.driftPerPage;
  return {
    drift: () => driftPerPage,
    setData: (s) => {
      if (
        s.arrivalsPerMinute !== undefined ||
        s.modificationsPerMinute !== undefined
      ) {
        dataset.evolve(clock());
        dataset.setRates(
          s.arrivalsPerMinute ?? opts.arrivalsPerMinute,
          s.modificationsPerMinute ?? opts.modificationsPerMinute,
        );
      }
      if (s.driftPerPage !== undefined) driftPerPage = s.driftPerPage;
      return { driftPerPage };
    },
    reset: () => {
      driftPerPage = opts.driftPerPage;
      dataset.setRates(opts.arrivalsPerMinute, opts.modificationsPerMinute);
    },
  };
}

/** The simulator's main dataset, seeded and paced by the base options (fixtures replace generation). */
export function primaryDataset<T>(
  spec: DatasetSpec<T>,
  opts: SourceBaseOptions,
  base: { anchor: number; historyMs: number; fixtures: T[] | undefined },
): SourceDataset<T> {
  return new SourceDataset<T>(spec, {
    seed: opts.seed,
    initialRecords: opts.initialRecords,
    anchor: base.anchor,
    historyMs: base.historyMs,
    arrivalsPerMinute: opts.arrivalsPerMinute,
    modificationsPerMinute: opts.modificationsPerMinute,
    ...(base.fixtures ? { fixtures: base.fixtures } : {}),
  });
}

/**
 * Starts a source simulator on the one simulator HTTP stack: its plumbing (clock, faults, request log), its admin
 * surface and listen options, plus the platform's own part (`spec`: routes, endpoint names, error envelopes and
 * any admin routes of its own).
 */
export function startSourceServer(
  base: { clock: () => number; faults: FaultInjector; log: RequestLog },
  opts: Pick<SourceBaseOptions, 'host' | 'port' | 'adminEnabled'>,
  admin: { routes: AdminRoute[]; resetData(): void },
  spec: Pick<
    SimServerSpec,
    'name' | 'endpointOf' | 'handle' | 'platformError'
  > & {
    adminRoutes?: AdminRoute[];
  },
): Promise<RunningSimServer> {
  return startSimServer(
    {
      ...spec,
      clock: base.clock,
      faults: base.faults,
      log: base.log,
      adminEnabled: opts.adminEnabled,
      adminRoutes: [...admin.routes, ...(spec.adminRoutes ?? [])],
      onReset: admin.resetData,
    },
    { host: opts.host, port: opts.port },
  );
}
