import { z } from 'zod';
import type { KingdeeDocument, KingdeeInventory } from './inventory.port';
import { getSimulatorJson } from './simulator-admin.util';

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
      await getSimulatorJson(url.toString(), this.headers),
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
