import type { z } from 'zod';
import {
  createPrng,
  hashUnit,
  VersionedStore,
  type Prng,
  type RecordHistory,
} from '../common';

/** How one simulator creates and changes its records. */
export interface DatasetSpec<T> {
  idOf(record: T): string;
  /** A new record created at `at` (ms). `seq` is 1, 2, 3… in creation order. */
  generate(prng: Prng, seq: number, at: number): T;
  /** A modified copy of `record` (status moves on, memo changes…), modified at `at`. */
  modify(prng: Prng, record: T, at: number): T;
  /** Parsed times (ms, null when absent) of a record, computed once per stored version for queries. */
  times?(record: T): Readonly<Record<string, number | null>>;
}

/** A platform's main records: how they are made and changed, and their wire schema (fixtures, admin inserts). */
export interface RecordsSpec<T> extends DatasetSpec<T> {
  readonly schema: z.ZodType<T>;
}

export interface DatasetOptions<T> {
  seed: number;
  initialRecords: number;
  /** End of the generated history (ms); records are created over [anchor - historyMs, anchor]. */
  anchor: number;
  historyMs: number;
  arrivalsPerMinute: number;
  modificationsPerMinute: number;
  /** Records loaded instead of generated ones (NDJSON fixtures). */
  fixtures?: T[];
}

const MAX_EVENTS_PER_EVOLVE = 5_000;

/**
 * The records of one source simulator, alive in time: `evolve(now)` lazily adds the arrivals and
 * modifications due since the last call (at the configured per-minute rates), `drift` modifies
 * records while a client pages. Every version is kept in a `VersionedStore`.
 */
export class SourceDataset<T> {
  readonly store: VersionedStore<T>;
  private prng!: Prng;
  private seq = 0;
  private lastEvolve = 0;
  private arrivalCarry = 0;
  private modificationCarry = 0;
  private readonly timeIndex = new Map<
    string,
    Readonly<Record<string, number | null>>
  >();

  constructor(
    private readonly spec: DatasetSpec<T>,
    private options: DatasetOptions<T>,
  ) {
    this.store = new VersionedStore(spec.idOf);
    this.reset();
  }

  /** Back to the seeded initial state (same records, same versions). */
  reset(): void {
    this.store.clear();
    this.timeIndex.clear();
    this.prng = createPrng(this.options.seed);
    this.seq = 0;
    this.arrivalCarry = 0;
    this.modificationCarry = 0;
    const { anchor, historyMs, initialRecords, fixtures } = this.options;
    if (fixtures) {
      for (const record of fixtures) this.put(record, anchor);
      this.seq = fixtures.length;
    } else {
      const start = anchor - historyMs;
      for (let i = 0; i < initialRecords; i++) {
        const at = Math.floor(
          start +
            ((i + this.prng.next()) * historyMs) / Math.max(1, initialRecords),
        );
        this.put(this.spec.generate(this.prng, ++this.seq, at), at);
      }
    }
    this.lastEvolve = anchor;
  }

  setRates(arrivalsPerMinute: number, modificationsPerMinute: number): void {
    this.options = {
      ...this.options,
      arrivalsPerMinute,
      modificationsPerMinute,
    };
  }

  /** Applies the arrivals and modifications due between the last call and `now`. */
  evolve(now: number): void {
    if (now <= this.lastEvolve) return;
    const minutes = (now - this.lastEvolve) / 60_000;
    this.arrivalCarry += minutes * this.options.arrivalsPerMinute;
    this.modificationCarry += minutes * this.options.modificationsPerMinute;
    const arrivals = Math.min(
      MAX_EVENTS_PER_EVOLVE,
      Math.floor(this.arrivalCarry),
    );
    const modifications = Math.min(
      MAX_EVENTS_PER_EVOLVE,
      Math.floor(this.modificationCarry),
    );
    this.arrivalCarry -= Math.floor(this.arrivalCarry);
    this.modificationCarry -= Math.floor(this.modificationCarry);
    const from = this.lastEvolve;
    for (let i = 0; i < arrivals; i++) {
      const at = Math.floor(from + ((i + 1) * (now - from)) / (arrivals + 1));
      this.insert(undefined, at);
    }
    for (let i = 0; i < modifications; i++) {
      this.modify(
        undefined,
        Math.floor(from + ((i + 1) * (now - from)) / (modifications + 1)),
      );
    }
    this.lastEvolve = now;
  }

  /** Inserts `record` (or a generated one) created at `at`. */
  insert(record: T | undefined, at: number): T {
    const r = record ?? this.spec.generate(this.prng, ++this.seq, at);
    this.put(r, at);
    return r;
  }

  /** Modifies record `id` (or a random one) at `at`. Returns the new version, or undefined when absent. */
  modify(id: string | undefined, at: number): T | undefined {
    const current = id === undefined ? this.randomRecord() : this.store.get(id);
    if (current === undefined) return undefined;
    // A version never predates the previous one.
    const previous = this.store.history(this.spec.idOf(current)).at(-1)?.at;
    const when = previous === undefined ? at : Math.max(at, previous);
    const next = this.spec.modify(this.prng, current, when);
    this.put(next, when);
    return next;
  }

  /** Modifies `count` records picked among `candidates` (page drift). */
  drift(candidates: readonly T[], count: number, at: number): void {
    if (candidates.length === 0) return;
    for (let i = 0; i < count; i++)
      this.modify(this.spec.idOf(this.prng.pick(candidates)), at);
  }

  /** A parsed time of the current version of `record` (see `DatasetSpec.times`). */
  timeOf(record: T, field: string): number | null {
    return this.timeIndex.get(this.spec.idOf(record))?.[field] ?? null;
  }

  private put(record: T, at: number): void {
    this.store.put(record, at);
    if (this.spec.times)
      this.timeIndex.set(this.spec.idOf(record), this.spec.times(record));
  }

  current(): T[] {
    return this.store.current();
  }

  history(): RecordHistory<T>[] {
    return this.store.all();
  }

  private randomRecord(): T | undefined {
    const all = this.store.current();
    return all.length === 0 ? undefined : this.prng.pick(all);
  }
}

/**
 * The `duplicateRate` fault: a seeded fraction of the matching records appears a second time one page
 * later (clamped to the end), so the same record is delivered on two pages of one query. Nothing is
 * lost; the total grows by the number of duplicates.
 */
export function withDuplicates<T>(
  list: readonly T[],
  rate: number,
  seed: number,
  idOf: (r: T) => string,
  pageSize: number,
): T[] {
  if (rate <= 0) return [...list];
  const out: T[] = [...list];
  const inserts: { pos: number; record: T }[] = [];
  list.forEach((r, i) => {
    if (hashUnit(seed, idOf(r)) < rate)
      inserts.push({ pos: Math.min(list.length, i + pageSize), record: r });
  });
  for (const { pos, record } of inserts.sort((a, b) => b.pos - a.pos))
    out.splice(pos, 0, record);
  return out;
}
