import { ZERO_TOTALS, addTotals, type Totals } from './document-totals.util';
import type { ReconcileReport } from './reconcile-flow';

const MAX_ITEMS = 50;

function list<T>(
  title: string,
  items: readonly T[],
  line: (item: T) => string,
): string[] {
  if (items.length === 0) return [];
  const out = [`${title} (${items.length}):`];
  for (const item of items.slice(0, MAX_ITEMS)) out.push(`  ${line(item)}`);
  if (items.length > MAX_ITEMS)
    out.push(`  … ${items.length - MAX_ITEMS} more (use --json)`);
  return out;
}

const ids = (sourceIds: readonly string[]): string =>
  sourceIds.length <= 5
    ? sourceIds.join(',')
    : `${sourceIds.slice(0, 5).join(',')},… (${sourceIds.length})`;

/** Human-readable report: counts, per-day and per-group sums, itemised lists (first 50 of each). */
export function formatReconcileReport(r: ReconcileReport): string {
  const c = r.counts;
  const out = [
    r.scope === 'all'
      ? `flow ${r.flow} → ${r.formId}   master data: every record now (the range does not apply)`
      : `flow ${r.flow} → ${r.formId}   ${r.range.from} .. ${r.range.to} (source time; Beijing ${beijing(r.range.from)} .. ${beijing(r.range.to)})`,
    `source records ${r.source.records} (filtered ${r.source.filtered}, unmappable ${r.source.failed})`,
    `expected ${c.expected}  in Kingdee ${c.actual}  matched ${c.matched}  in flight ${c.inFlight}  missing ${c.missing}  extra ${c.extra}  duplicate ${c.duplicate}  changed after write ${c.changed}  sum mismatch ${c.mismatch}  (outside the range ${c.outside}, left the query ${c.leftQuery}, withdrawn and reversed ${c.reversed})`,
    'day          expected docs/qty/amount      kingdee docs/qty/amount',
    ...r.days.map(
      (d) =>
        `${d.day}   ${d.expected.documents}/${d.expected.qty}/${d.expected.amount}`.padEnd(
          43,
        ) +
        `${d.actual.documents}/${d.actual.qty}/${d.actual.amount}${d.match ? '' : '   ≠'}`,
    ),
    ...list(
      'groups',
      r.groups,
      (g) =>
        `${g.status.padEnd(8)} ${g.billNo}  expected ${g.expected.qty}/${g.expected.amount}  kingdee ${g.actual.qty}/${g.actual.amount}  bills ${g.bills.join(',') || '-'}  records ${g.sourceIds.length}`,
    ),
    ...list(
      'in flight (on their way, not missing)',
      r.inFlight,
      (m) =>
        `${m.billNo}  ${m.reason}  key ${m.documentKey}  source ${ids(m.sourceIds)}`,
    ),
    ...list(
      'changed after write (Kingdee keeps the version written)',
      r.changed,
      (x) =>
        `${x.billNo}  written ${x.written.qty}/${x.written.amount} at ${x.writtenAt ?? '?'}  source now ${x.source.qty}/${x.source.amount} (modified ${x.sourceModifiedAt})  source ${ids(x.sourceIds)}`,
    ),
    ...list(
      'missing',
      r.missing,
      (m) =>
        `${m.billNo}  key ${m.documentKey}  day ${m.day}  source ${ids(m.sourceIds)}`,
    ),
    ...list(
      'extra',
      r.extra,
      (e) => `${e.billNo}  id ${e.id}  writes ${e.writeCount ?? '?'}`,
    ),
    ...list(
      'written, no longer returned by the flow query (status moved on, cancelled): not extra',
      r.leftQuery,
      (e) => `${e.billNo}  id ${e.id}  writes ${e.writeCount ?? '?'}`,
    ),
    ...list(
      'duplicate',
      r.duplicates,
      (d) =>
        `${d.billNo}  ${d.reason}  ids ${d.ids.join(',')}  writes ${d.writeCount}  source ${ids(d.sourceIds)}`,
    ),
    ...list(
      'sum mismatch',
      r.mismatches,
      (m) =>
        `${m.billNo}  expected ${m.expected.qty}/${m.expected.amount}  kingdee ${m.actual.qty}/${m.actual.amount}  source ${ids(m.sourceIds)}`,
    ),
    ...list(
      'unmappable source records (expect dead letters)',
      r.failures,
      (f) => `${ids(f.sourceIds)}  ${f.reason}`,
    ),
  ];
  return `${out.join('\n')}\n`;
}

function beijing(iso: string): string {
  const t = new Date(Date.parse(iso) + 8 * 3_600_000).toISOString();
  return `${t.slice(0, 10)} ${t.slice(11, 19)}`;
}

/** Σ of the Kingdee documents compared, and of what the source says they should be. */
export function reportSums(r: ReconcileReport): {
  kingdee: Totals;
  expected: Totals;
} {
  // Per-day sums leave out what is not compared (documents whose records left the flow's query).
  const sums = r.days.reduce(
    (acc, d) => ({
      kingdee: addTotals(acc.kingdee, d.actual),
      expected: addTotals(acc.expected, d.expected),
    }),
    { kingdee: ZERO_TOTALS, expected: ZERO_TOTALS },
  );
  return sums;
}

/** True when nothing is missing, extra or duplicate (in flight and changed after write are not failures). */
export function reportClean(r: ReconcileReport): boolean {
  return r.counts.missing + r.counts.extra + r.counts.duplicate === 0;
}

const COLUMNS = [
  'flow',
  'expected',
  'written',
  'in flight',
  'missing',
  'extra',
  'duplicate',
  'changed',
  'Σqty',
  'Σamount',
] as const;

/** One line per flow (`reconcile --all`): Σ are Kingdee's, followed by the source's when they differ. */
export function formatReconcileTable(
  reports: readonly ReconcileReport[],
  failed: readonly { flow: string; error: string }[] = [],
): string {
  const sum = (k: number, e: number): string =>
    Math.abs(k - e) < 1e-6 ? String(k) : `${k} (source ${e})`;
  const rows = reports.map((r) => {
    const s = reportSums(r);
    return [
      r.flow,
      String(r.counts.expected),
      String(r.counts.matched),
      String(r.counts.inFlight),
      String(r.counts.missing),
      String(r.counts.extra),
      String(r.counts.duplicate),
      String(r.counts.changed),
      sum(s.kingdee.qty, s.expected.qty),
      sum(s.kingdee.amount, s.expected.amount),
    ];
  });
  const widths = COLUMNS.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => row[i]!.length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) =>
        i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!),
      )
      .join('  ')
      .trimEnd();
  const out = [line(COLUMNS), ...rows.map(line)];
  for (const f of failed)
    out.push(`${f.flow}  could not be reconciled: ${f.error}`);
  return `${out.join('\n')}\n`;
}
