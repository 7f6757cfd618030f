import { z } from 'zod';
import type { KingdeeDocument, KingdeeInventory } from './inventory.port';

export interface K3CloudBillQueryOptions {
  /** e.g. `http://host/k3cloud/` (trailing slash). */
  readonly baseUrl: string;
  readonly acctId: string;
  readonly username: string;
  readonly password: string;
  /** Entry fields summed as quantity and amount (per form; default SAL_OUTSTOCK's). */
  readonly qtyField?: string;
  readonly amountField?: string;
  /** Extra FilterString (K3Cloud SQL-like syntax), e.g. `FDate >= '2026-11-01'`. */
  readonly filter?: string;
  readonly pageSize?: number;
}

const loginSchema = z.object({ LoginResultType: z.number() }).passthrough();
const rowsSchema = z.array(z.array(z.unknown()));

/**
 * Kingdee documents from a real (or simulated) K3Cloud through `ExecuteBillQuery`: one row per
 * entry (FID, FBillNo, qty, amount), grouped back into bills. A real K3Cloud cannot say how
 * often a bill was written, so `writeCount` stays undefined and only two bills with the same
 * number count as duplicates.
 */
export class K3CloudBillQueryInventory implements KingdeeInventory {
  private cookie: string | undefined;

  constructor(private readonly options: K3CloudBillQueryOptions) {}

  private async call(service: string, body: unknown): Promise<unknown> {
    const res = await fetch(
      `${this.options.baseUrl}Kingdee.BOS.WebApi.ServicesStub.${service}.common.kdsvc`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.cookie ? { cookie: this.cookie } : {}),
        },
        body: JSON.stringify(body),
      },
    );
    const text = await res.text();
    if (!res.ok) throw new Error(`K3Cloud ${service}: HTTP ${res.status}`);
    const cookie = res.headers
      .getSetCookie()
      .find((c) => c.toLowerCase().startsWith('kdservice-sessionid='));
    if (cookie) this.cookie = cookie.split(';')[0];
    return JSON.parse(text) as unknown;
  }

  private async login(): Promise<void> {
    const o = this.options;
    const result = loginSchema.parse(
      await this.call('AuthService.ValidateUser', {
        acctID: o.acctId,
        username: o.username,
        password: o.password,
        lcid: 2052,
      }),
    );
    if (result.LoginResultType !== 1)
      throw new Error(
        `K3Cloud login refused (LoginResultType ${result.LoginResultType})`,
      );
  }

  async list(formId: string): Promise<KingdeeDocument[]> {
    if (!this.cookie) await this.login();
    const qty = this.options.qtyField ?? 'FRealQty';
    const amount = this.options.amountField ?? 'FAllAmount';
    const limit = this.options.pageSize ?? 2000;
    const byId = new Map<
      string,
      { billNo: string; rows: Record<string, unknown>[] }
    >();
    for (let start = 0; ; start += limit) {
      const answer = await this.call('DynamicFormService.ExecuteBillQuery', {
        data: {
          FormId: formId,
          FieldKeys: `FID,FBillNo,${qty},${amount}`,
          FilterString: this.options.filter ?? '',
          OrderString: 'FID',
          StartRow: start,
          Limit: limit,
        },
      });
      const rows = rowsSchema.safeParse(answer);
      // Errors come back as [[{"Result":{"ResponseStatus":…}}]].
      if (
        !rows.success ||
        rows.data.some((r) => r.length === 1 && typeof r[0] === 'object')
      ) {
        throw new Error(
          `K3Cloud ExecuteBillQuery ${formId}: ${JSON.stringify(answer).slice(0, 300)}`,
        );
      }
      for (const [id, billNo, q, a] of rows.data) {
        const key = String(id);
        const doc = byId.get(key) ?? { billNo: String(billNo), rows: [] };
        doc.rows.push({ [qty]: q, [amount]: a });
        byId.set(key, doc);
      }
      if (rows.data.length < limit) break;
    }
    return [...byId.entries()].map(([id, d]) => ({
      id,
      billNo: d.billNo,
      body: { rows: d.rows },
    }));
  }
}
