import { z } from 'zod';
import type {
  KingdeeDocument,
  KingdeeInventory,
  SourceInventory,
  SourceRecord,
  TimeRange,
} from './inventory.port';

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

async function getJson(
  url: string,
  headers: Record<string, string>,
): Promise<unknown> {
  const res = await fetch(url, { headers });
  const text = await res.text();
  if (!res.ok)
    throw new Error(`GET ${url}: HTTP ${res.status} ${text.slice(0, 200)}`);
  return JSON.parse(text) as unknown;
}

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
      await getJson(url.toString(), this.options.headers ?? {}),
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

const documentsResponseSchema = z.array(
  z
    .object({
      id: z.union([z.string(), z.number()]),
      billNo: z.string(),
      writeCount: z.number().optional(),
      createCount: z.number().optional(),
      firstWrittenAt: z.string().optional(),
      lastWrittenAt: z.string().optional(),
    })
    .passthrough(),
);

const META_KEYS = new Set([
  'formId',
  'id',
  'billNo',
  'status',
  'writeCount',
  'createCount',
  'duplicateRejections',
  'firstWrittenAt',
  'lastWrittenAt',
  'unresolvedRefs',
]);

/**
 * Kingdee documents from a Kingdee simulator's `GET /__admin/documents?formId=` (k3cloud filters
 * by form; jdy and k3wise hold one form each). The body is everything but the bookkeeping fields
 * (k3cloud `model`, jdy `body`, k3wise `page1`/`page2`).
 */
export class SimulatorKingdeeInventory implements KingdeeInventory {
  constructor(
    private readonly baseUrl: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  async list(formId: string): Promise<KingdeeDocument[]> {
    const url = new URL('/__admin/documents', this.baseUrl);
    url.searchParams.set('formId', formId);
    const docs = documentsResponseSchema.parse(
      await getJson(url.toString(), this.headers),
    );
    return docs.map((d) => ({
      id: String(d.id),
      billNo: d.billNo,
      // A duplicate is a bill created twice; an update in place (the plan's changeAfterWrite: update) is not.
      writeCount: d.createCount ?? d.writeCount,
      firstWrittenAt: d.firstWrittenAt,
      lastWrittenAt: d.lastWrittenAt,
      body: Object.fromEntries(
        Object.entries(d).filter(([k]) => !META_KEYS.has(k)),
      ),
    }));
  }
}

/** Form id the Kingdee simulators' admin endpoint files a plan's documents under. */
export function simulatorFormId(system: string, planFormId: string): string {
  if (system === 'jdy') return 'inv_check_loss_bill';
  if (system === 'k3wise') return 'SO';
  return planFormId;
}
