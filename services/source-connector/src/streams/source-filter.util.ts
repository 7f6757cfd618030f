import type { SourceEntity, SourcePlatform } from '@kingbridge/contracts';

type ParamValue = string | number | boolean;

/** Jackyun tradeStatus values (reference §1.6), to expand `tradeStatus >= N` into `tradeStatusList`. */
const JACKYUN_TRADE_STATUSES = [
  1010, 1020, 1030, 1050, 2000, 2010, 2020, 2030, 2040, 3010, 4040, 4041, 4110,
  4111, 4112, 4113, 4121, 4122, 4123, 4130, 5010, 5020, 5030, 6000, 9090,
];

interface Condition {
  field: string;
  logic: string;
  value: unknown;
}

const SHORT = /^\s*([\w.]+)\s*(>=|<=|!=|=|>|<|\bin\b)\s*(.+?)\s*$/;
const OPS: Record<string, string> = {
  '=': 'eq',
  '!=': 'ne',
  '>': 'gt',
  '>=': 'gte',
  '<': 'lt',
  '<=': 'lte',
  in: 'in',
};

function normalize(input: unknown): Condition | undefined {
  if (typeof input === 'string') {
    const m = SHORT.exec(input);
    if (!m) return undefined;
    const raw = m[3]!.replace(/^\(|\)$/g, '');
    return { field: m[1]!, logic: OPS[m[2]!] ?? m[2]!, value: raw };
  }
  if (
    input &&
    typeof input === 'object' &&
    'field' in input &&
    'logic' in input
  ) {
    return input as Condition;
  }
  return undefined;
}

/**
 * Translates the plan's source filters into query params the platform
 * understands, so filtering happens at the source. Filters the API cannot
 * express are left out here: the transform enforces every filter again.
 * - equality on a top-level field -> `field=value` (WDT `status=95`,
 *   Jackyun `companyCode=DSGL`, Jushuitan `status=Confirmed`);
 * - `in` -> comma list;
 * - Jackyun `tradeStatus >= N` -> `tradeStatusList` of the documented statuses ≥ N.
 */
export function filtersToParams(
  platform: SourcePlatform,
  entity: SourceEntity,
  filters: readonly unknown[],
): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  // `[[a, b]]` (one OR-group of AND-ed conditions, the seeds' condition_bk) is the same as `[a, b]`;
  // several OR-groups cannot be sent as params.
  const flat =
    filters.length === 1 && Array.isArray(filters[0])
      ? (filters[0] as unknown[])
      : filters;
  for (const f of flat) {
    const c = normalize(f);
    if (!c || c.field.includes('.')) continue;
    const value = Array.isArray(c.value) ? c.value.join(',') : String(c.value);
    if (c.logic === 'eq' || c.logic === 'in') {
      out[c.field] = value.replace(/\s+/g, '');
    } else if (
      platform === 'jackyun' &&
      entity === 'sales-order' &&
      c.field === 'tradeStatus' &&
      (c.logic === 'gte' || c.logic === 'gt')
    ) {
      const n = Number(value);
      const list = JACKYUN_TRADE_STATUSES.filter((s) =>
        c.logic === 'gte' ? s >= n : s > n,
      );
      if (list.length > 0) out.tradeStatusList = list.join(',');
    }
  }
  return out;
}
