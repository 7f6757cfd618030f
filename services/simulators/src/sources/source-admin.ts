import { z } from 'zod';
import {
  AdminError,
  parseJsonBody,
  type AdminRoute,
  type FaultConfig,
  type FaultConfigInput,
  type FaultInjector,
  type RecordHistory,
  type RequestLog,
  type RequestLogEntry,
  type RequestStats,
} from '../common';
import type { SourceDataset } from './source-dataset';

/**
 * `stored`: records as the simulator keeps them. `wire`: each version as the platform's richest
 * answer would carry it (Jackyun PascalCase with every field, Xiaoman as `order/info` returns it, …),
 * for comparing what a connector published with what the source holds.
 */
export type RecordView = 'stored' | 'wire';

/** Type-erased view of one dataset for the admin surface. */
export interface AdminDataset {
  name: string;
  /** Every record with its versions, after applying the arrivals/modifications due at `now`. */
  history(now: number, view?: RecordView): RecordHistory<unknown>[];
  insert(record: unknown, at: number): unknown;
  modify(id: string | undefined, at: number): unknown;
  reset(): void;
}

export function adminDataset<T>(
  name: string,
  dataset: SourceDataset<T>,
  schema: z.ZodType<T>,
  wire?: (record: T) => unknown,
): AdminDataset {
  return {
    name,
    history: (now, view = 'stored') => {
      dataset.evolve(now);
      const all = dataset.history();
      if (view === 'stored' || !wire) return all;
      return all.map((h) => ({
        id: h.id,
        versions: h.versions.map((v) => ({ ...v, data: wire(v.data) })),
      }));
    },
    insert: (record, at) =>
      dataset.insert(
        record === undefined ? undefined : schema.parse(record),
        at,
      ),
    modify: (id, at) => dataset.modify(id, at),
    reset: () => dataset.reset(),
  };
}

export interface DataSettings {
  arrivalsPerMinute?: number;
  modificationsPerMinute?: number;
  driftPerPage?: number;
}

/** Programmatic twin of the `/__admin/*` routes, returned by every `start*Simulator`. */
export interface SourceAdminApi {
  /** Every record of `entity` (default: the first dataset) with all its versions. */
  records(entity?: string, view?: RecordView): RecordHistory<unknown>[];
  /** Inserts `record` (wire shape, validated) or a generated one; created at the simulator clock. */
  insert(entity?: string, record?: unknown): unknown;
  /** Modifies record `id` (or a random one): a new version, modified time = the simulator clock. */
  modify(entity?: string, id?: string): unknown;
  faults(): FaultConfig;
  setFaults(partial: FaultConfigInput): FaultConfig;
  requests(): RequestLogEntry[];
  stats(): RequestStats;
  /** Changes arrival / modification rates and page drift at run time. */
  setData(settings: DataSettings): DataSettings;
  /** Seeded initial data, empty log, scenario faults, empty rate-limit windows. */
  reset(): void;
}

const recordsPostSchema = z.object({
  entity: z.string().optional(),
  op: z.enum(['insert', 'modify']),
  record: z.unknown().optional(),
  id: z.string().optional(),
  count: z.number().int().min(1).max(10_000).default(1),
});

const dataSettingsSchema = z.object({
  arrivalsPerMinute: z.number().min(0).optional(),
  modificationsPerMinute: z.number().min(0).optional(),
  driftPerPage: z.number().int().min(0).optional(),
});

export interface SourceAdminDeps {
  datasets: AdminDataset[];
  faults: FaultInjector;
  log: RequestLog;
  clock: () => number;
  setData(settings: DataSettings): DataSettings;
  /** Simulator-specific reset (limiters, tokens…), after datasets are reset. */
  onReset(): void;
}

/**
 * Builds the source simulators' admin surface: routes for `startSimServer` (records, data) and the
 * matching programmatic API. `POST /__admin/reset` (built into the server) must call `resetData`.
 */
export function createSourceAdmin(deps: SourceAdminDeps): {
  routes: AdminRoute[];
  api: SourceAdminApi;
  resetData(): void;
} {
  const initialFaults = structuredClone(deps.faults.current);
  const find = (entity?: string): AdminDataset => {
    const ds =
      entity === undefined
        ? deps.datasets[0]
        : deps.datasets.find((d) => d.name === entity);
    if (!ds)
      throw new AdminError(
        404,
        `unknown entity ${entity ?? ''}; known: ${deps.datasets.map((d) => d.name).join(', ')}`,
      );
    return ds;
  };
  const resetData = (): void => {
    for (const ds of deps.datasets) ds.reset();
    deps.onReset();
  };
  const routes: AdminRoute[] = [
    {
      method: 'GET',
      path: '/records',
      handle: (req) => {
        const ds = find(req.query.get('entity') ?? undefined);
        const view = req.query.get('view') === 'wire' ? 'wire' : 'stored';
        return {
          entity: ds.name,
          view,
          records: ds.history(deps.clock(), view),
        };
      },
    },
    {
      method: 'POST',
      path: '/records',
      handle: (req) => {
        const body = recordsPostSchema.parse(parseJsonBody(req));
        const ds = find(body.entity);
        const now = deps.clock();
        const out: unknown[] = [];
        for (let i = 0; i < (body.record !== undefined ? 1 : body.count); i++) {
          const r =
            body.op === 'insert'
              ? ds.insert(body.record, now)
              : ds.modify(body.id, now);
          if (r === undefined)
            throw new AdminError(404, `no record ${body.id ?? ''}`);
          out.push(r);
        }
        return { entity: ds.name, records: out };
      },
    },
    {
      method: 'POST',
      path: '/data',
      handle: (req) =>
        deps.setData(dataSettingsSchema.parse(parseJsonBody(req))),
    },
  ];
  const api: SourceAdminApi = {
    records: (entity, view) => find(entity).history(deps.clock(), view),
    insert: (entity, record) => find(entity).insert(record, deps.clock()),
    modify: (entity, id) => find(entity).modify(id, deps.clock()),
    faults: () => deps.faults.current,
    setFaults: (partial) => deps.faults.update(partial),
    requests: () => deps.log.list(),
    stats: () => deps.log.summary(),
    setData: (settings) => deps.setData(dataSettingsSchema.parse(settings)),
    reset: () => {
      deps.log.clear();
      deps.faults.replace(initialFaults);
      resetData();
    },
  };
  return { routes, api, resetData };
}
