import { parseJsonOrUndefined } from '../shared/kingdee-server';

/** Arguments from the positional (`parameters`, array or JSON text) or the named envelope, keys lower-cased. */
export function extractArgs(
  body: unknown,
  names: readonly string[],
): Record<string, unknown> | undefined {
  if (!isRecord(body)) return undefined;
  let positional = getCI(body, 'parameters');
  if (typeof positional === 'string')
    positional = parseJsonOrUndefined(positional);
  const out: Record<string, unknown> = {};
  if (Array.isArray(positional)) {
    names.forEach((name, i) => (out[name.toLowerCase()] = positional[i]));
    return out;
  }
  for (const name of names) out[name.toLowerCase()] = getCI(body, name);
  return out;
}

export function parseData(value: unknown): Record<string, unknown> | undefined {
  const parsed =
    typeof value === 'string' ? parseJsonOrUndefined(value) : value;
  return isRecord(parsed) ? parsed : undefined;
}

export function bool(value: unknown): boolean {
  return (
    value === true ||
    value === 1 ||
    (typeof value === 'string' && value.trim().toLowerCase() === 'true')
  );
}

export function stringList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string' && value.trim() !== '')
    return value.split(',').map((s) => s.trim());
  return [];
}

/** FilterString as SQL text, or the explorer's array of {Left,FieldName,Compare,Value,Right,Logic} turned into text. */
export function filterText(value: unknown): string | undefined {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) return undefined;
  let text = '';
  value.forEach((item, index) => {
    if (!isRecord(item)) return;
    const field = String(getCI(item, 'FieldName') ?? '');
    const compare = String(getCI(item, 'Compare') ?? '=').trim();
    const raw = getCI(item, 'Value');
    const literal = (v: unknown): string =>
      typeof v === 'number'
        ? String(v)
        : `'${String(v ?? '').replace(/'/g, "''")}'`;
    const op = compare.toLowerCase();
    const rhs =
      op === 'in' || op === 'not in'
        ? `(${String(raw ?? '')
            .split(',')
            .map((v) => literal(v.trim()))
            .join(',')})`
        : literal(raw);
    text += ` ${String(getCI(item, 'Left') ?? '')} ${field} ${compare} ${rhs} ${String(getCI(item, 'Right') ?? '')}`;
    if (index < value.length - 1) {
      const logic = String(getCI(item, 'Logic') ?? 'AND')
        .trim()
        .toUpperCase();
      text += logic === '1' || logic === 'OR' ? ' OR' : ' AND';
    }
  });
  return text;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Case-insensitive property read (the server matches JSON keys case-insensitively). */
export function getCI(source: Record<string, unknown>, key: string): unknown {
  if (key in source) return source[key];
  const upper = key.toUpperCase();
  for (const [k, v] of Object.entries(source))
    if (k.toUpperCase() === upper) return v;
  return undefined;
}
