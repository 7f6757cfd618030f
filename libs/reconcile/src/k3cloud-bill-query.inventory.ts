import { chinaTimeToIso } from '@kingbridge/pipeline-core';
import { k3FormKeys } from '@kingbridge/sink-kingdee-client';
import type { MappingFieldInput } from '@kingbridge/transform-engine';
import { countsTowardTotals } from './document-totals.util';
import type { KingdeeDocument, KingdeeInventory } from './inventory.port';

/** The one call the inventory needs: the production `K3CloudClient.executeBillQuery` (its login, session renewal and errors). */
export interface K3CloudBillQuery {
  executeBillQuery(data: Record<string, unknown>): Promise<unknown[][]>;
}

export interface K3CloudBillQueryOptions {
  readonly client: K3CloudBillQuery;
  /**
   * Entry or header fields summed as quantity and amount (K3Cloud field keys such as FRealQty, FAllAmount);
   * `totalsFieldsOf(plan.mapping)` gives the ones the flow writes. Default: none (bills counted, not summed).
   */
  readonly totalsFields?: readonly string[];
  /** Extra FilterString (K3Cloud's SQL-like syntax), e.g. `FDate >= '2026-11-01'`. */
  readonly filter?: string;
  /** Rows per ExecuteBillQuery page (K3Cloud caps Limit at 10000; default 2000). */
  readonly pageSize?: number;
}

/**
 * Kingdee documents from a real (or simulated) K3Cloud through `ExecuteBillQuery`: one row per entry
 * (primary key, number, the totals fields, FModifyDate), grouped back into bills by primary key. A real K3Cloud
 * cannot say how often a bill was written, so `writeCount` stays undefined and only two bills with the same
 * number count as duplicates; FModifyDate (server time, Beijing) is the last write.
 */
export class K3CloudBillQueryInventory implements KingdeeInventory {
  /** Forms that answered "no field FModifyDate" (some master data forms): listed without it. */
  private readonly withoutModifyDate = new Set<string>();

  constructor(private readonly options: K3CloudBillQueryOptions) {}

  async list(formId: string): Promise<KingdeeDocument[]> {
    if (!this.withoutModifyDate.has(formId)) {
      try {
        return await this.listWith(formId, true);
      } catch (err) {
        if (!(err instanceof Error) || !/FModifyDate/.test(err.message))
          throw err;
        this.withoutModifyDate.add(formId);
      }
    }
    return this.listWith(formId, false);
  }

  private async listWith(
    formId: string,
    modifyDate: boolean,
  ): Promise<KingdeeDocument[]> {
    const { pkField, numberField } = k3FormKeys(formId);
    const totals = [...new Set(this.options.totalsFields ?? [])];
    const limit = this.options.pageSize ?? 2000;
    const byId = new Map<
      string,
      {
        billNo: string;
        modified: string | undefined;
        rows: Record<string, unknown>[];
      }
    >();
    for (let start = 0; ; start += limit) {
      const rows = await this.options.client.executeBillQuery({
        FormId: formId,
        FieldKeys: [
          pkField,
          numberField,
          modifyDate ? 'FModifyDate' : pkField,
          ...totals,
        ].join(','),
        FilterString: this.options.filter ?? '',
        OrderString: pkField,
        StartRow: start,
        Limit: limit,
      });
      for (const [id, billNo, modified, ...values] of rows) {
        const key = String(id);
        const doc = byId.get(key) ?? {
          billNo: String(billNo),
          modified: modifyDate ? modifiedAt(modified) : undefined,
          rows: [],
        };
        doc.rows.push(
          Object.fromEntries(totals.map((field, i) => [field, values[i]])),
        );
        byId.set(key, doc);
      }
      if (rows.length < limit) break;
    }
    return [...byId.entries()].map(([id, d]) => ({
      id,
      billNo: d.billNo,
      ...(d.modified ? { lastWrittenAt: d.modified } : {}),
      body: { rows: d.rows },
    }));
  }
}

/** The K3Cloud field keys of a mapping that count toward the reconciliation's quantity and amount sums. */
export function totalsFieldsOf(
  mapping: readonly MappingFieldInput[],
): string[] {
  const out: string[] = [];
  const walk = (fields: readonly MappingFieldInput[]): void => {
    for (const f of fields) {
      if (f.children) walk(f.children);
      else if (countsTowardTotals(f.field)) out.push(f.field);
    }
  };
  walk(mapping);
  return [...new Set(out)];
}

// K3Cloud answers dates as `2026-11-02T10:20:30` (server time, no offset) or a JSON date.
function modifiedAt(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const ms = Date.parse(chinaTimeToIso(value) ?? value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}
