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
    `flow ${r.flow} → ${r.formId}   ${r.range.from} .. ${r.range.to}`,
    `source records ${r.source.records} (filtered ${r.source.filtered}, unmappable ${r.source.failed})`,
    `expected ${c.expected}  in Kingdee ${c.actual}  matched ${c.matched}  missing ${c.missing}  extra ${c.extra}  duplicate ${c.duplicate}  sum mismatch ${c.mismatch}`,
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
