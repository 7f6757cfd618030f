/** A document as the simulated ERP holds it, with write bookkeeping so tests can spot double writes. */
export interface StoredDocument<TBody> {
  readonly formId: string;
  readonly id: number;
  billNo: string;
  status: string;
  body: TBody;
  /** Successful writes (create + updates) of this bill number. */
  writeCount: number;
  /** What happened to the bill, in order: create, update (a save over it), submit, audit, unaudit, delete. */
  readonly history: BillHistoryEntry[];
  /** Creates refused because the bill number was already used. */
  duplicateRejections: number;
  readonly firstWrittenAt: string;
  lastWrittenAt: string;
  deleted: boolean;
}

export interface BillHistoryEntry {
  readonly op: 'create' | 'update' | 'submit' | 'audit' | 'unaudit' | 'delete';
  readonly at: string;
  /** The bill's status after the operation. */
  readonly status: string;
}

export interface DocumentFilter {
  readonly formId?: string | undefined;
  readonly billNo?: string | undefined;
}

/** In-memory bill store keyed by (form, bill number) and (form, id); form ids compare case-insensitively. */
export class DocumentStore<TBody> {
  private readonly byNumber = new Map<string, StoredDocument<TBody>>();
  private readonly byId = new Map<string, StoredDocument<TBody>>();
  private nextId: number;
  private readonly serials = new Map<string, number>();

  constructor(private readonly firstId = 100001) {
    this.nextId = firstId;
  }

  findByNumber(
    formId: string,
    billNo: string,
  ): StoredDocument<TBody> | undefined {
    const doc = this.byNumber.get(numberKey(formId, billNo));
    return doc && !doc.deleted ? doc : undefined;
  }

  findById(formId: string, id: number): StoredDocument<TBody> | undefined {
    const doc = this.byId.get(numberKey(formId, String(id)));
    return doc && !doc.deleted ? doc : undefined;
  }

  /** Next server-generated bill number for a prefix, e.g. XSCKD000001, skipping numbers already used. */
  generateNumber(formId: string, prefix: string): string {
    for (;;) {
      const serial = (this.serials.get(formId.toUpperCase()) ?? 0) + 1;
      this.serials.set(formId.toUpperCase(), serial);
      const candidate = `${prefix}${String(serial).padStart(6, '0')}`;
      if (!this.findByNumber(formId, candidate)) return candidate;
    }
  }

  insert(
    formId: string,
    billNo: string,
    status: string,
    body: TBody,
    now = new Date(),
  ): StoredDocument<TBody> {
    const at = now.toISOString();
    const previous = this.byNumber.get(numberKey(formId, billNo));
    const doc: StoredDocument<TBody> = {
      formId,
      id: this.nextId++,
      billNo,
      status,
      body,
      // A bill number deleted and written again still counts as a second write.
      writeCount: (previous?.writeCount ?? 0) + 1,
      history: [...(previous?.history ?? []), { op: 'create', at, status }],
      duplicateRejections: previous?.duplicateRejections ?? 0,
      firstWrittenAt: previous?.firstWrittenAt ?? at,
      lastWrittenAt: at,
      deleted: false,
    };
    this.byNumber.set(numberKey(formId, billNo), doc);
    this.byId.set(numberKey(formId, String(doc.id)), doc);
    return doc;
  }

  update(doc: StoredDocument<TBody>, body: TBody, now = new Date()): void {
    doc.body = body;
    doc.writeCount += 1;
    doc.lastWrittenAt = now.toISOString();
    doc.history.push({
      op: 'update',
      at: doc.lastWrittenAt,
      status: doc.status,
    });
  }

  /** A save's write: an update of the existing bill (which takes the number and status), else an insert. */
  save(
    existing: StoredDocument<TBody> | undefined,
    ...write: Parameters<DocumentStore<TBody>['insert']>
  ): StoredDocument<TBody> {
    if (!existing) return this.insert(...write);
    const [, billNo, status, body, now] = write;
    existing.billNo = billNo;
    existing.status = status;
    this.update(existing, body, now);
    return existing;
  }

  /** Records a state change (submit, audit, unaudit, delete) in the bill's history. */
  note(
    doc: StoredDocument<TBody>,
    op: 'submit' | 'audit' | 'unaudit' | 'delete',
    now = new Date(),
  ): void {
    doc.history.push({ op, at: now.toISOString(), status: doc.status });
  }

  noteDuplicate(formId: string, billNo: string): void {
    const doc = this.byNumber.get(numberKey(formId, billNo));
    if (doc) doc.duplicateRejections += 1;
  }

  delete(doc: StoredDocument<TBody>): void {
    doc.deleted = true;
  }

  list(filter: DocumentFilter = {}): StoredDocument<TBody>[] {
    return [...this.byId.values()].filter(
      (doc) =>
        !doc.deleted &&
        (filter.formId === undefined ||
          doc.formId.toUpperCase() === filter.formId.toUpperCase()) &&
        (filter.billNo === undefined || doc.billNo === filter.billNo),
    );
  }

  clear(): void {
    this.byNumber.clear();
    this.byId.clear();
    this.serials.clear();
    this.nextId = this.firstId;
  }
}

// Bill numbers compare case-insensitively, as under SQL Server's default collation.
function numberKey(formId: string, value: string): string {
  return `${formId.toUpperCase()}\u0000${value.toUpperCase()}`;
}
