import type { K3MasterSeedRecord } from './k3cloud-forms';

export interface K3MasterRecord {
  readonly formId: string;
  readonly id: number;
  number: string;
  name: string;
  /** A 创建, B 审核中, C 已审核 — only C and not forbidden resolves in a bill's base-data field. */
  status: 'A' | 'B' | 'C';
  forbidden: boolean;
  attrs: Record<string, unknown>;
}

export interface K3MasterUpsert {
  readonly number: string;
  readonly name: string;
  readonly attrs?: Record<string, unknown> | undefined;
  readonly status?: 'A' | 'B' | 'C' | undefined;
  readonly forbidden?: boolean | undefined;
}

/** Base data (orgs, customers, materials, stocks, units, bill types…) by form and number. */
export class K3MasterDataStore {
  private readonly forms = new Map<string, Map<string, K3MasterRecord>>();
  private nextId = 100001;

  constructor(
    private readonly seed: Readonly<
      Record<string, readonly K3MasterSeedRecord[]>
    >,
  ) {
    this.reset();
  }

  reset(): void {
    this.forms.clear();
    this.nextId = 100001;
    for (const [formId, records] of Object.entries(this.seed)) {
      for (const record of records)
        this.upsert(formId, { ...record, status: 'C' });
    }
  }

  /** The record a bill may reference: audited and not forbidden. */
  usable(formId: string, number: string): K3MasterRecord | undefined {
    const record = this.find(formId, number);
    return record && record.status === 'C' && !record.forbidden
      ? record
      : undefined;
  }

  usableById(formId: string, id: number): K3MasterRecord | undefined {
    const record = this.list(formId).find((r) => r.id === id);
    return record && record.status === 'C' && !record.forbidden
      ? record
      : undefined;
  }

  usableByName(formId: string, name: string): K3MasterRecord | undefined {
    const record = this.list(formId).find((r) => r.name === name);
    return record && record.status === 'C' && !record.forbidden
      ? record
      : undefined;
  }

  find(formId: string, number: string): K3MasterRecord | undefined {
    return this.forms.get(formId.toUpperCase())?.get(number);
  }

  upsert(formId: string, input: K3MasterUpsert): K3MasterRecord {
    const key = formId.toUpperCase();
    let form = this.forms.get(key);
    if (!form) {
      form = new Map();
      this.forms.set(key, form);
    }
    const existing = form.get(input.number);
    if (existing) {
      existing.name = input.name;
      existing.attrs = { ...existing.attrs, ...input.attrs };
      if (input.status) existing.status = input.status;
      if (input.forbidden !== undefined) existing.forbidden = input.forbidden;
      return existing;
    }
    const record: K3MasterRecord = {
      formId,
      id: this.nextId++,
      number: input.number,
      name: input.name,
      status: input.status ?? 'C',
      forbidden: input.forbidden ?? false,
      attrs: { ...input.attrs },
    };
    form.set(input.number, record);
    return record;
  }

  remove(formId: string, number: string): boolean {
    return this.forms.get(formId.toUpperCase())?.delete(number) ?? false;
  }

  list(formId?: string): K3MasterRecord[] {
    if (formId !== undefined)
      return [...(this.forms.get(formId.toUpperCase())?.values() ?? [])];
    return [...this.forms.values()].flatMap((form) => [...form.values()]);
  }
}
