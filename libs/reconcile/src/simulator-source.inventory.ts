import { z } from 'zod';
import type {
  SourceInventory,
  SourceRecord,
  TimeRange,
} from './inventory.port';
import { getSimulatorJson } from './simulator-admin.util';

/** Simulator dataset behind each plan entity (`GET /__admin/records?entity=`). */
export const SIMULATOR_DATASETS: Readonly<Record<string, string>> =
  Object.freeze({
    'jackyun/sales-order': 'trades',
    'jackyun/sales-channel': 'channels',
    'wdt/stockout-order': 'stockouts',
    'jushuitan/inventory-count': 'counts',
    'xiaoman/sales-order': 'orders',
  });

const recordsResponseSchema = z.object({
  records: z.array(
    z.object({
      id: z.string(),
      versions: z
        .array(
          z.object({
            version: z.number(),
            at: z.number(),
            data: z.record(z.string(), z.unknown()),
          }),
        )
        .min(1),
    }),
  ),
});

/**
 * Source records from a source simulator's `GET /__admin/records` (SIM_ADMIN=1). `view` `stored`
 * (default) is the record as the simulator keeps it; `wire` as the platform's richest answer.
 */
export class SimulatorSourceInventory implements SourceInventory {
  constructor(
    private readonly baseUrl: string,
    private readonly options: {
      readonly view?: 'stored' | 'wire';
      readonly headers?: Record<string, string>;
    } = {},
  ) {}

  listAll(dataset: string): Promise<SourceRecord[]> {
    return this.list(dataset, {
      fromMs: Number.MIN_SAFE_INTEGER,
      toMs: Number.MAX_SAFE_INTEGER,
    });
  }

  async list(dataset: string, range: TimeRange): Promise<SourceRecord[]> {
    const url = new URL('/__admin/records', this.baseUrl);
    url.searchParams.set('entity', dataset);
    url.searchParams.set('view', this.options.view ?? 'stored');
    const body = recordsResponseSchema.parse(
      await getSimulatorJson(url.toString(), this.options.headers ?? {}),
    );
    const out: SourceRecord[] = [];
    for (const r of body.records) {
      const first = r.versions[0]!;
      const latest = r.versions.reduce((a, b) =>
        b.version >= a.version ? b : a,
      );
      if (first.at < range.fromMs || first.at >= range.toMs) continue;
      out.push({
        sourceId: r.id,
        version: latest.version,
        createdAt: first.at,
        modifiedAt: latest.at,
        payload: latest.data,
      });
    }
    return out;
  }
}
