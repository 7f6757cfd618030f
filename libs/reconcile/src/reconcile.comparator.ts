import {
  ZERO_TOTALS,
  addTotals,
  documentTotals,
  totalsEqual,
  type Totals,
} from './document-totals.util';
import type { KingdeeDocument } from './inventory.port';

/** A document the flow should have written, computed from the source records. */
export interface ExpectedDocument {
  readonly billNo: string;
  readonly documentKey: string;
  readonly sourceIds: readonly string[];
  /** Business day (yyyy-MM-dd in the plan's time zone). */
  readonly day: string;
  /** Merge flows: the window key (group); undefined for one-to-one flows. */
  readonly group?: string | undefined;
  readonly totals: Totals;
  /** Latest modification at the source among the document's records (epoch ms), when known. */
  readonly modifiedAt?: number | undefined;
}

/** A source record that could not become a document (the pipeline dead-letters it too). */
export interface ExpectedFailure {
  readonly sourceIds: readonly string[];
  readonly reason: string;
}

export interface CompareInput {
  readonly expected: readonly ExpectedDocument[];
  readonly actual: readonly KingdeeDocument[];
  /** Which unmatched Kingdee documents count as extra (default: all). */
  readonly isExtraCandidate?: (doc: KingdeeDocument) => boolean;
  /** Day of an extra document (default: the date part of firstWrittenAt, else 'unknown'). */
  readonly dayOf?: (doc: KingdeeDocument) => string;
  /**
   * Documents the source records outside the range make (same plan): a Kingdee document that is one of them
   * is outside the range, neither matched nor extra.
   */
  readonly outside?: readonly ExpectedDocument[];
  /**
   * Documents of records that left the plan's filter after they may have been written (withdrawn): a Kingdee
   * document that is one of them is a change after write (the source says "no document"), not extra; one whose
   * reversals bring it to zero is `reversed`.
   */
  readonly withdrawn?: readonly ExpectedDocument[];
}

export interface SideSums {
  documents: number;
  qty: number;
  amount: number;
}

export interface DaySums {
  readonly day: string;
  readonly expected: SideSums;
  readonly actual: SideSums;
  readonly match: boolean;
}

export interface GroupSums {
  readonly group: string;
  readonly billNo: string;
  readonly sourceIds: readonly string[];
  readonly expected: Totals;
  readonly actual: Totals;
  /** Bill numbers found in Kingdee for this group: the document and its corrections. */
  readonly bills: readonly string[];
  readonly status: 'ok' | 'missing' | 'mismatch' | 'changed';
}

export interface MissingItem {
  readonly billNo: string;
  readonly documentKey: string;
  readonly day: string;
  readonly sourceIds: readonly string[];
}

export interface ExtraItem {
  readonly billNo: string;
  readonly id: string;
  readonly writeCount: number | undefined;
  readonly totals: Totals;
  /** The day its sums are counted under (`dayOf`). */
  readonly day: string;
}

export interface DuplicateItem {
  readonly billNo: string;
  readonly ids: readonly string[];
  readonly writeCount: number;
  readonly reason: 'written-more-than-once' | 'same-bill-twice';
  readonly sourceIds: readonly string[];
}

export interface MismatchItem {
  readonly billNo: string;
  readonly sourceIds: readonly string[];
  readonly expected: Totals;
  readonly actual: Totals;
}

/**
 * A document whose source changed after it was written: Kingdee holds the version written (`written`), the
 * source now says `source`. Not a loss: Kingdee refuses to overwrite an audited document; an operator decides.
 */
export interface ChangedItem {
  readonly billNo: string;
  readonly sourceIds: readonly string[];
  /** Sums of the document as written to Kingdee. */
  readonly written: Totals;
  /** Sums of the document the source's latest version makes. */
  readonly source: Totals;
  readonly writtenAt: string | undefined;
  readonly sourceModifiedAt: string;
}

/** A block of counts in a report: how many of each `K`. */
export type Counts<K extends string> = { readonly [P in K]: number };

export interface Comparison {
  /**
   * `reversed`: records withdrawn from the source whose written document was reversed (plan rule reverse): the
   * bill and its reversals add up to zero, neither matched nor extra. `outside`: Kingdee documents of source
   * records outside the range (not compared).
   */
  readonly counts: Counts<
    | 'expected'
    | 'actual'
    | 'matched'
    | 'missing'
    | 'extra'
    | 'duplicate'
    | 'mismatch'
    | 'changed'
    | 'reversed'
    | 'outside'
  >;
  readonly days: readonly DaySums[];
  readonly groups: readonly GroupSums[];
  readonly missing: readonly MissingItem[];
  readonly extra: readonly ExtraItem[];
  readonly duplicates: readonly DuplicateItem[];
  readonly mismatches: readonly MismatchItem[];
  readonly changed: readonly ChangedItem[];
}

// Late-record corrections of a merged window: `<billNo>-C<6 hex>` (transform-engine README).
const CORRECTION_BILL = /^(.*)-C[0-9a-f]{6}$/i;
// A per-record document changed after write, plan rule reverse: reversal `<billNo>-R<n>`, next version `<billNo>-V<n>`.
const REVERSAL_BILL = /^(.*)-[RV]\d+$/i;

const norm = (billNo: string): string => billNo.toUpperCase();

/**
 * Compares expected documents with what Kingdee holds. Bill numbers compare case-insensitively
 * (SQL Server collation). Merge groups match when the document plus its corrections add up to
 * the group's expected quantity and amount; one-to-one documents match on the bill number, and
 * a differing sum is reported as a mismatch.
 */
export function compareInventories(input: CompareInput): Comparison {
  const isExtraCandidate = input.isExtraCandidate ?? (() => true);
  const dayOf =
    input.dayOf ??
    ((d: KingdeeDocument) => d.firstWrittenAt?.slice(0, 10) ?? 'unknown');
  const actualByBill = new Map<string, KingdeeDocument[]>();
  for (const doc of input.actual) {
    const list = actualByBill.get(norm(doc.billNo)) ?? [];
    list.push(doc);
    actualByBill.set(norm(doc.billNo), list);
  }
  const expectedByBill = new Map<string, ExpectedDocument>();
  for (const e of input.expected) expectedByBill.set(norm(e.billNo), e);
  const outsideBills = new Set(
    (input.outside ?? [])
      .filter((e) => !expectedByBill.has(norm(e.billNo)))
      .map((e) => norm(e.billNo)),
  );
  const correctionsOf = new Map<string, KingdeeDocument[]>();
  // The reversal bills and later versions of a per-record document: with it, the record's one effective document.
  const reversalsOf = new Map<string, KingdeeDocument[]>();
  for (const doc of input.actual) {
    const reversal = REVERSAL_BILL.exec(doc.billNo)?.[1];
    if (
      reversal !== undefined &&
      expectedByBill.get(norm(reversal))?.group === undefined &&
      (expectedByBill.has(norm(reversal)) || actualByBill.has(norm(reversal)))
    ) {
      const list = reversalsOf.get(norm(reversal)) ?? [];
      list.push(doc);
      reversalsOf.set(norm(reversal), list);
      continue;
    }
    const base = CORRECTION_BILL.exec(doc.billNo)?.[1];
    if (base === undefined) continue;
    const exp = expectedByBill.get(norm(base));
    if (exp?.group === undefined) continue;
    const list = correctionsOf.get(norm(base)) ?? [];
    list.push(doc);
    correctionsOf.set(norm(base), list);
  }

  const used = new Set<KingdeeDocument>();
  const days = new Map<string, { expected: SideSums; actual: SideSums }>();
  const dayEntry = (day: string) => {
    let e = days.get(day);
    if (!e) {
      e = {
        expected: { documents: 0, qty: 0, amount: 0 },
        actual: { documents: 0, qty: 0, amount: 0 },
      };
      days.set(day, e);
    }
    return e;
  };
  const addSide = (side: SideSums, t: Totals, docs: number) => {
    const sum = addTotals({ qty: side.qty, amount: side.amount }, t);
    side.documents += docs;
    side.qty = sum.qty;
    side.amount = sum.amount;
  };

  const missing: MissingItem[] = [];
  const mismatches: MismatchItem[] = [];
  const changed: ChangedItem[] = [];
  const groups: GroupSums[] = [];
  let matched = 0;
  for (const e of input.expected) {
    const found = actualByBill.get(norm(e.billNo)) ?? [];
    const corrections =
      e.group !== undefined
        ? (correctionsOf.get(norm(e.billNo)) ?? [])
        : (reversalsOf.get(norm(e.billNo)) ?? []);
    const docs = [...found, ...corrections];
    docs.forEach((d) => used.add(d));
    // A second document with the same bill is a duplicate, not part of the sum.
    const counted = [...found.slice(0, 1), ...corrections];
    const actualTotals = counted.reduce(
      (t, d) => addTotals(t, documentTotals(d.body)),
      ZERO_TOTALS,
    );
    const day = dayEntry(e.day);
    addSide(day.expected, e.totals, 1);
    addSide(day.actual, actualTotals, counted.length);
    const writtenAt = counted
      .map((d) => d.lastWrittenAt ?? d.firstWrittenAt)
      .filter((t): t is string => t !== undefined)
      .sort()
      .at(-1);
    // Totals differ because the source changed after the last write: changed after write, not a mismatch.
    const changedAfter =
      e.modifiedAt !== undefined &&
      writtenAt !== undefined &&
      e.modifiedAt > Date.parse(writtenAt);
    const status: GroupSums['status'] =
      counted.length === 0
        ? 'missing'
        : totalsEqual(actualTotals, e.totals)
          ? 'ok'
          : changedAfter
            ? 'changed'
            : 'mismatch';
    if (status === 'missing') {
      missing.push({
        billNo: e.billNo,
        documentKey: e.documentKey,
        day: e.day,
        sourceIds: e.sourceIds,
      });
    } else {
      matched += 1;
      if (status === 'mismatch')
        mismatches.push({
          billNo: e.billNo,
          sourceIds: e.sourceIds,
          expected: e.totals,
          actual: actualTotals,
        });
      if (status === 'changed')
        changed.push({
          billNo: e.billNo,
          sourceIds: e.sourceIds,
          written: actualTotals,
          source: e.totals,
          writtenAt,
          sourceModifiedAt: new Date(e.modifiedAt ?? 0).toISOString(),
        });
    }
    if (e.group !== undefined) {
      groups.push({
        group: e.group,
        billNo: e.billNo,
        sourceIds: e.sourceIds,
        expected: e.totals,
        actual: actualTotals,
        bills: counted.map((d) => d.billNo),
        status,
      });
    }
  }

  // Written, then withdrawn from the source and reversed: the bill and its reversals cancel out.
  let reversed = 0;
  for (const [bill, family] of reversalsOf) {
    const base = actualByBill.get(bill)?.[0];
    if (!base || used.has(base) || outsideBills.has(bill)) continue;
    const docs = [base, ...family];
    const sum = docs.reduce(
      (t, d) => addTotals(t, documentTotals(d.body)),
      ZERO_TOTALS,
    );
    if (!totalsEqual(sum, ZERO_TOTALS)) continue;
    reversed += 1;
    docs.forEach((d) => used.add(d));
  }

  // Written, then withdrawn from the source and not (yet) reversed: Kingdee holds what the source no longer has.
  for (const w of input.withdrawn ?? []) {
    const bill = norm(w.billNo);
    if (expectedByBill.has(bill)) continue;
    const docs = [
      ...(actualByBill.get(bill) ?? []).slice(0, 1),
      ...(reversalsOf.get(bill) ?? []),
    ].filter((d) => !used.has(d));
    if (docs.length === 0) continue;
    docs.forEach((d) => used.add(d));
    const writtenAt = docs
      .map((d) => d.lastWrittenAt ?? d.firstWrittenAt)
      .filter((t): t is string => t !== undefined)
      .sort()
      .at(-1);
    changed.push({
      billNo: w.billNo,
      sourceIds: w.sourceIds,
      written: docs.reduce(
        (t, d) => addTotals(t, documentTotals(d.body)),
        ZERO_TOTALS,
      ),
      source: ZERO_TOTALS,
      writtenAt,
      sourceModifiedAt: new Date(w.modifiedAt ?? 0).toISOString(),
    });
  }

  const extra: ExtraItem[] = [];
  let outside = 0;
  for (const doc of input.actual) {
    if (used.has(doc)) continue;
    const base = CORRECTION_BILL.exec(doc.billNo)?.[1];
    if (
      outsideBills.has(norm(doc.billNo)) ||
      (base !== undefined && outsideBills.has(norm(base)))
    ) {
      outside += 1;
      continue;
    }
    if (!isExtraCandidate(doc)) continue;
    used.add(doc);
    const totals = documentTotals(doc.body);
    const day = dayOf(doc);
    extra.push({
      billNo: doc.billNo,
      id: doc.id,
      writeCount: doc.writeCount,
      totals,
      day,
    });
    addSide(dayEntry(day).actual, totals, 1);
  }

  const duplicates: DuplicateItem[] = [];
  for (const [bill, docs] of actualByBill) {
    const considered = docs.filter((d) => used.has(d));
    if (considered.length === 0) continue;
    const first = considered[0]!;
    const writeCount = considered.reduce((n, d) => n + (d.writeCount ?? 1), 0);
    if (considered.length < 2 && writeCount < 2) continue;
    const base = CORRECTION_BILL.exec(first.billNo)?.[1];
    const exp =
      expectedByBill.get(bill) ??
      (base !== undefined ? expectedByBill.get(norm(base)) : undefined);
    duplicates.push({
      billNo: first.billNo,
      ids: considered.map((d) => d.id),
      writeCount,
      reason:
        considered.length > 1 ? 'same-bill-twice' : 'written-more-than-once',
      sourceIds: exp?.sourceIds ?? [],
    });
  }

  const dayList: DaySums[] = [...days.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([day, s]) => ({
      day,
      expected: s.expected,
      actual: s.actual,
      match:
        s.expected.documents <= s.actual.documents &&
        totalsEqual(s.expected, s.actual),
    }));
  return {
    counts: {
      expected: input.expected.length,
      actual: used.size,
      matched,
      missing: missing.length,
      extra: extra.length,
      duplicate: duplicates.length,
      mismatch: mismatches.length,
      changed: changed.length,
      reversed,
      outside,
    },
    days: dayList,
    groups,
    missing,
    extra,
    duplicates,
    mismatches,
    changed,
  };
}
