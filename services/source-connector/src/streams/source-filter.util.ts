type ParamValue = string | number | boolean;

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
 * - `in` -> comma list.
 * A range (`tradeStatus >= 6000`) is not guessed into a list of values: the plan
 * names the list in its params (Jackyun `tradeStatusList`) when the API takes one.
 */
export function filtersToParams(
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
    }
  }
  return out;
}
