import { parseBeijing, type FaultInjector } from '../../common';
import { withDuplicates, type SourceDataset } from '../source-dataset';
import { corruptPage, queryCost, sortByKey } from '../source-kit';

/**
 * The records of `dataset` a query matches at `now`, in answer order: the arrivals and modifications due are
 * applied first, then `filter`, then ascending `key` with ties broken by `tie`.
 */
export function matchRecords<T>(
  dataset: SourceDataset<T>,
  now: number,
  filter: (record: T) => boolean,
  key: (record: T) => number,
  tie: (a: T, b: T) => number,
): T[] {
  dataset.evolve(now);
  return sortByKey(dataset.current().filter(filter), key, tie);
}

export interface PageSpec<T, R> {
  idOf(record: T): string;
  pageSize: number;
  /** Index of the page's first record in the answer list. */
  offset: number;
  /** Endpoint name the `corruptRecordRate` fault is scoped by. */
  endpoint: string;
  /** Fields a corrupted row loses or gets of the wrong type, first present first. */
  corruptFields: readonly string[];
  /** A row as the platform shows it (projection, hidden fields). */
  view(record: T): R;
  /** `driftPerPage` records of the match modified after the page is cut (none when absent or 0). */
  drift?: { dataset: SourceDataset<T>; perPage: number; at: number };
  queryCostMsPerThousand: number;
}

/** One page of a query's answer, with the faults it carries as a `SimResult` fragment. */
export interface QueryPage<R> {
  /** Size of the answer list (duplicates included). */
  total: number;
  rows: R[];
  /** `fault: 'corrupt-record'` and the `queryCostMsPerThousand` delay, to spread into the result. */
  result: { fault?: 'corrupt-record'; delayMs?: number };
}

/**
 * Cuts one page out of the matched records: the `duplicateRate` fault, the slice, page drift, the platform's
 * row view and the `corruptRecordRate` fault.
 */
export function pageOf<T, R extends object>(
  faults: FaultInjector,
  matched: readonly T[],
  spec: PageSpec<T, R>,
): QueryPage<R> {
  const list = withDuplicates(
    matched,
    faults.current.duplicateRate,
    faults.current.seed,
    spec.idOf,
    spec.pageSize,
  );
  const page = list
    .slice(spec.offset, spec.offset + spec.pageSize)
    .map((r) => spec.view(r));
  if (spec.drift && spec.drift.perPage > 0)
    spec.drift.dataset.drift(matched, spec.drift.perPage, spec.drift.at);
  const corrupt = corruptPage(page, faults, spec.endpoint, spec.corruptFields);
  return {
    total: list.length,
    rows: corrupt.rows,
    result: {
      ...(corrupt.corrupted ? { fault: 'corrupt-record' as const } : {}),
      ...queryCost(spec.queryCostMsPerThousand, matched.length),
    },
  };
}

/** Why a Beijing-time window was refused. */
export type WindowError = 'format' | 'order' | 'span';

/** The platform's words for each refusal of a window. */
export interface WindowMessages {
  format: string;
  order: string;
  span(maxDays: number): string;
}

/** A `yyyy-MM-dd HH:mm:ss` (Beijing) window no longer than `maxDays`, as epoch ms, or why not (in the platform's words). */
export function parseWindow(
  start: string,
  end: string,
  maxDays: number,
  messages: WindowMessages,
): { from: number; to: number } | { error: WindowError; message: string } {
  const from = parseBeijing(start);
  const to = parseBeijing(end);
  const error: WindowError | null =
    from === null || to === null
      ? 'format'
      : to < from
        ? 'order'
        : to - from > maxDays * 86_400_000
          ? 'span'
          : null;
  if (error !== null || from === null || to === null) {
    const kind = error ?? 'format';
    return {
      error: kind,
      message: kind === 'span' ? messages.span(maxDays) : messages[kind],
    };
  }
  return { from, to };
}
