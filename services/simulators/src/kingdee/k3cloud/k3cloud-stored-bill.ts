/** A stored field: a resolved base-data reference or a plain value. */
export type K3StoredValue =
  | {
      readonly ref: true;
      readonly id: number;
      readonly number: string | null;
      readonly name: string | null;
      readonly given: unknown;
    }
  | { readonly ref: false; readonly value: unknown };

export interface K3StoredEntry {
  readonly entryId: number;
  readonly seq: number;
  readonly fields: Record<string, K3StoredValue>;
}

/** A saved bill or base-data record as the simulated database holds it (field keys upper-cased). */
export interface K3StoredBill {
  readonly model: Record<string, unknown>;
  readonly header: Record<string, K3StoredValue>;
  readonly entries: K3StoredEntry[];
  /** Reference fields that were sent but did not resolve and were stored empty (IsVerifyBaseDataField false). */
  readonly unresolvedRefs: string[];
}
