/** A small SQL-like WHERE parser for K3Cloud FilterString (and K/3 WISE `[Field]` filters). */
export type FilterOperand =
  { kind: 'field'; name: string } | { kind: 'literal'; value: string | number };

export type FilterExpr =
  | { kind: 'and' | 'or'; left: FilterExpr; right: FilterExpr }
  | { kind: 'not'; expr: FilterExpr }
  | {
      kind: 'cmp';
      op: '=' | '<>' | '>' | '<' | '>=' | '<=';
      left: FilterOperand;
      right: FilterOperand;
    }
  | {
      kind: 'in';
      operand: FilterOperand;
      values: FilterOperand[];
      negated: boolean;
    }
  | {
      kind: 'like';
      operand: FilterOperand;
      pattern: FilterOperand;
      negated: boolean;
    }
  | { kind: 'isnull'; operand: FilterOperand; negated: boolean };

export class FilterSyntaxError extends Error {}

type Token =
  | { t: 'ident'; v: string }
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: 'op'; v: string }
  | { t: 'kw'; v: string }
  | { t: 'punct'; v: string };

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'LIKE', 'IS', 'NULL']);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (/\s/.test(c)) {
      i += 1;
    } else if (
      c === "'" ||
      ((c === 'N' || c === 'n') && text.charAt(i + 1) === "'")
    ) {
      if (c !== "'") i += 1;
      let value = '';
      i += 1;
      for (;;) {
        if (i >= text.length)
          throw new FilterSyntaxError('unterminated string literal');
        if (text.charAt(i) === "'") {
          if (text.charAt(i + 1) === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        value += text.charAt(i);
        i += 1;
      }
      tokens.push({ t: 'str', v: value });
    } else if (
      /[0-9]/.test(c) ||
      (c === '-' && /[0-9]/.test(text.charAt(i + 1)))
    ) {
      const match = /^-?\d+(\.\d+)?/.exec(text.slice(i));
      const raw = match?.[0] ?? c;
      tokens.push({ t: 'num', v: Number(raw) });
      i += raw.length;
    } else if (c === '[') {
      const end = text.indexOf(']', i);
      if (end < 0) throw new FilterSyntaxError('unterminated [field]');
      tokens.push({ t: 'ident', v: text.slice(i + 1, end) });
      i = end + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      const match = /^[A-Za-z_][\w.]*/.exec(text.slice(i));
      const raw = match?.[0] ?? c;
      if (KEYWORDS.has(raw.toUpperCase()))
        tokens.push({ t: 'kw', v: raw.toUpperCase() });
      else tokens.push({ t: 'ident', v: raw });
      i += raw.length;
    } else {
      const two = text.slice(i, i + 2);
      if (two === '<>' || two === '!=' || two === '>=' || two === '<=') {
        tokens.push({ t: 'op', v: two === '!=' ? '<>' : two });
        i += 2;
      } else if (c === '=' || c === '<' || c === '>') {
        tokens.push({ t: 'op', v: c });
        i += 1;
      } else if (c === '(' || c === ')' || c === ',') {
        tokens.push({ t: 'punct', v: c });
        i += 1;
      } else {
        throw new FilterSyntaxError(`unexpected character "${c}"`);
      }
    }
  }
  return tokens;
}

export function parseFilter(text: string): FilterExpr | undefined {
  if (text.trim() === '') return undefined;
  const tokens = tokenize(text);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isKw = (v: string): boolean => {
    const tok = peek();
    return tok?.t === 'kw' && tok.v === v;
  };
  const isPunct = (v: string): boolean => {
    const tok = peek();
    return tok?.t === 'punct' && tok.v === v;
  };
  const expectPunct = (v: string): void => {
    if (!isPunct(v)) throw new FilterSyntaxError(`expected "${v}"`);
    pos += 1;
  };

  const operand = (): FilterOperand => {
    const tok = peek();
    pos += 1;
    if (tok?.t === 'ident') return { kind: 'field', name: tok.v };
    if (tok?.t === 'str' || tok?.t === 'num')
      return { kind: 'literal', value: tok.v };
    throw new FilterSyntaxError('expected a field or a value');
  };

  const predicate = (): FilterExpr => {
    const left = operand();
    const negated = isKw('NOT');
    if (negated) pos += 1;
    if (isKw('IN')) {
      pos += 1;
      expectPunct('(');
      const values = [operand()];
      while (isPunct(',')) {
        pos += 1;
        values.push(operand());
      }
      expectPunct(')');
      return { kind: 'in', operand: left, values, negated };
    }
    if (isKw('LIKE')) {
      pos += 1;
      return { kind: 'like', operand: left, pattern: operand(), negated };
    }
    if (negated) throw new FilterSyntaxError('expected IN or LIKE after NOT');
    if (isKw('IS')) {
      pos += 1;
      const not = isKw('NOT');
      if (not) pos += 1;
      if (!isKw('NULL')) throw new FilterSyntaxError('expected NULL');
      pos += 1;
      return { kind: 'isnull', operand: left, negated: not };
    }
    const tok = peek();
    if (tok?.t !== 'op')
      throw new FilterSyntaxError('expected a comparison operator');
    pos += 1;
    return { kind: 'cmp', op: tok.v as '=', left, right: operand() };
  };

  const factor = (): FilterExpr => {
    if (isKw('NOT')) {
      pos += 1;
      return { kind: 'not', expr: factor() };
    }
    if (isPunct('(')) {
      pos += 1;
      const inner = orExpr();
      expectPunct(')');
      return inner;
    }
    return predicate();
  };
  /** `next (KW next)*`, folded to the left. */
  const chain =
    (kw: 'AND' | 'OR', next: () => FilterExpr) => (): FilterExpr => {
      let left = next();
      while (isKw(kw)) {
        pos += 1;
        left = { kind: kw === 'AND' ? 'and' : 'or', left, right: next() };
      }
      return left;
    };
  const andExpr = chain('AND', factor);
  const orExpr = chain('OR', andExpr);

  const expr = orExpr();
  if (pos !== tokens.length)
    throw new FilterSyntaxError('unexpected trailing input');
  return expr;
}

export function filterFields(expr: FilterExpr | undefined): string[] {
  if (!expr) return [];
  const fromOperand = (o: FilterOperand): string[] =>
    o.kind === 'field' ? [o.name] : [];
  switch (expr.kind) {
    case 'and':
    case 'or':
      return [...filterFields(expr.left), ...filterFields(expr.right)];
    case 'not':
      return filterFields(expr.expr);
    case 'cmp':
      return [...fromOperand(expr.left), ...fromOperand(expr.right)];
    case 'in':
      return [
        ...fromOperand(expr.operand),
        ...expr.values.flatMap(fromOperand),
      ];
    case 'like':
      return [...fromOperand(expr.operand), ...fromOperand(expr.pattern)];
    case 'isnull':
      return fromOperand(expr.operand);
  }
}

export function evaluateFilter(
  expr: FilterExpr | undefined,
  resolve: (field: string) => unknown,
): boolean {
  if (!expr) return true;
  const value = (o: FilterOperand): unknown =>
    o.kind === 'field' ? resolve(o.name) : o.value;
  switch (expr.kind) {
    case 'and':
      return (
        evaluateFilter(expr.left, resolve) &&
        evaluateFilter(expr.right, resolve)
      );
    case 'or':
      return (
        evaluateFilter(expr.left, resolve) ||
        evaluateFilter(expr.right, resolve)
      );
    case 'not':
      return !evaluateFilter(expr.expr, resolve);
    case 'cmp': {
      const order = compare(value(expr.left), value(expr.right));
      if (order === undefined) return false;
      switch (expr.op) {
        case '=':
          return order === 0;
        case '<>':
          return order !== 0;
        case '>':
          return order > 0;
        case '<':
          return order < 0;
        case '>=':
          return order >= 0;
        case '<=':
          return order <= 0;
      }
      return false;
    }
    case 'in': {
      const v = value(expr.operand);
      const hit = expr.values.some(
        (candidate) => compare(v, value(candidate)) === 0,
      );
      return v === null || v === undefined ? false : expr.negated ? !hit : hit;
    }
    case 'like': {
      const v = value(expr.operand);
      const pattern = value(expr.pattern);
      if (
        v === null ||
        v === undefined ||
        pattern === null ||
        pattern === undefined
      )
        return false;
      const source = String(pattern)
        .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
        .replace(/%/g, '.*')
        .replace(/_/g, '.');
      const hit = new RegExp(`^${source}$`, 'is').test(String(v));
      return expr.negated ? !hit : hit;
    }
    case 'isnull': {
      const v = value(expr.operand);
      const isNull = v === null || v === undefined;
      return expr.negated ? !isNull : isNull;
    }
  }
}

/** SQL Server-like comparison: numbers numerically, strings case-insensitively, NULL never compares. */
function compare(a: unknown, b: unknown): number | undefined {
  if (a === null || a === undefined || b === null || b === undefined)
    return undefined;
  if (typeof a === 'boolean') a = a ? 1 : 0;
  if (typeof b === 'boolean') b = b ? 1 : 0;
  const numeric =
    (typeof a === 'number' || typeof b === 'number') &&
    isNumeric(a) &&
    isNumeric(b);
  if (numeric) {
    const diff = Number(a) - Number(b);
    return diff === 0 ? 0 : diff > 0 ? 1 : -1;
  }
  const left = String(a).toUpperCase();
  const right = String(b).toUpperCase();
  return left === right ? 0 : left > right ? 1 : -1;
}

function isNumeric(v: unknown): boolean {
  return (
    (typeof v === 'number' && Number.isFinite(v)) ||
    (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)))
  );
}
