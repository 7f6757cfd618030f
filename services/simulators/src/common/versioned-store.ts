/** One stored version of a record. `at` = simulator-clock ms when this version was written. */
export interface RecordVersion<T> {
  version: number;
  at: number;
  data: T;
}

export interface RecordHistory<T> {
  id: string;
  versions: RecordVersion<T>[];
}

/**
 * Keyed records that keep every version ever written, so inspection (and reconciliation tests)
 * can tell what the source held at any time. Insertion order is kept.
 */
export class VersionedStore<T> {
  private readonly records = new Map<string, RecordVersion<T>[]>();

  constructor(private readonly idOf: (record: T) => string) {}

  /**
   * Inserts a new record or appends a version to an existing one. The object is stored as given
   * (no copy): callers hand over a fresh object and never mutate it afterwards.
   */
  put(record: T, at: number): RecordVersion<T> {
    const id = this.idOf(record);
    const versions = this.records.get(id) ?? [];
    const entry: RecordVersion<T> = {
      version: versions.length + 1,
      at,
      data: record,
    };
    versions.push(entry);
    this.records.set(id, versions);
    return entry;
  }

  get(id: string): T | undefined {
    return this.records.get(id)?.at(-1)?.data;
  }

  has(id: string): boolean {
    return this.records.has(id);
  }

  /** Latest version of every record, in insertion order. */
  current(): T[] {
    return [...this.records.values()].map((v) => v[v.length - 1]!.data);
  }

  history(id: string): RecordVersion<T>[] {
    return this.records.get(id) ?? [];
  }

  all(): RecordHistory<T>[] {
    return [...this.records.entries()].map(([id, versions]) => ({
      id,
      versions,
    }));
  }

  get size(): number {
    return this.records.size;
  }

  clear(): void {
    this.records.clear();
  }
}
