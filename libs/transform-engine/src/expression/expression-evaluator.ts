import { Decimal } from '../util/decimal';
import { compareExact } from '../util/exact-number';
import {
  getPath,
  getRootPath,
  type RecordScope,
} from '../util/record-path.util';
import { ExpressionEvaluationError } from './expression.error';
import type { FunctionContext } from './expression-functions';
import type { ExprNode } from './expression-parser';
import { isMissing, toDecimal, truthy, type Value } from './expression-value';

/** The data an expression may see: the record, the current detail row, and fixed facts. */
export interface EvalContext extends FunctionContext, RecordScope {
  readonly row: unknown;
}

function compare(a: Value, b: Value): number | undefined {
  if (isMissing(a) || isMissing(b)) return undefined;
  const exact = compareExact(a, b);
  if (exact !== undefined) return exact;
  const da = typeof a === 'boolean' ? undefined : Decimal.of(a);
  const db = typeof b === 'boolean' ? undefined : Decimal.of(b);
  if (da && db) return da.cmp(db);
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function equals(a: Value, b: Value): boolean {
  if (isMissing(a) || isMissing(b)) return isMissing(a) && isMissing(b);
  if (typeof a === 'boolean' || typeof b === 'boolean')
    return String(a) === String(b);
  return compare(a, b) === 0;
}

function arithmetic(
  op: '+' | '-' | '*' | '/' | '%',
  a: Value,
  b: Value,
): Value {
  if (op === '+' && (typeof a === 'string' || typeof b === 'string')) {
    const da = Decimal.of(a);
    const db = Decimal.of(b);
    if (!da || !db) {
      if (isMissing(a) || isMissing(b))
        throw new ExpressionEvaluationError(`'+': value is missing`);
      return `${String(a instanceof Decimal ? a.toString() : a)}${String(b instanceof Decimal ? b.toString() : b)}`;
    }
    return da.add(db);
  }
  const x = toDecimal(a, `'${op}' left side`);
  const y = toDecimal(b, `'${op}' right side`);
  switch (op) {
    case '+':
      return x.add(y);
    case '-':
      return x.sub(y);
    case '*':
      return x.mul(y);
    case '/': {
      const q = x.div(y);
      if (!q) throw new ExpressionEvaluationError('division by zero');
      return q;
    }
    case '%': {
      const r = x.mod(y);
      if (!r) throw new ExpressionEvaluationError('modulo by zero');
      return r;
    }
  }
}

/**
 * Evaluates a parsed expression by walking the tree. There is no path from
 * here to the host: references read own properties of record data only,
 * and calls go to the whitelisted functions bound at parse time.
 */
export function evaluate(node: ExprNode, ctx: EvalContext): Value {
  switch (node.k) {
    case 'lit':
      return node.v;
    case 'ref': {
      const v = node.row
        ? getPath(ctx.row, node.path)
        : getRootPath(ctx, node.path);
      return v === undefined ? null : v;
    }
    case 'neg':
      return toDecimal(evaluate(node.a, ctx), "unary '-'").neg();
    case 'not':
      return !truthy(evaluate(node.a, ctx));
    case 'and':
      return truthy(evaluate(node.a, ctx)) && truthy(evaluate(node.b, ctx));
    case 'or':
      return truthy(evaluate(node.a, ctx)) || truthy(evaluate(node.b, ctx));
    case 'cond':
      return truthy(evaluate(node.c, ctx))
        ? evaluate(node.a, ctx)
        : evaluate(node.b, ctx);
    case 'call':
      return node.fn.call(
        node.args.map((a) => evaluate(a, ctx)),
        ctx,
      );
    case 'bin': {
      const a = evaluate(node.a, ctx);
      const b = evaluate(node.b, ctx);
      switch (node.op) {
        case '==':
          return equals(a, b);
        case '!=':
          return !equals(a, b);
        case '>':
        case '>=':
        case '<':
        case '<=': {
          const c = compare(a, b);
          if (c === undefined) return false;
          return node.op === '>'
            ? c > 0
            : node.op === '>='
              ? c >= 0
              : node.op === '<'
                ? c < 0
                : c <= 0;
        }
        default:
          return arithmetic(node.op, a, b);
      }
    }
  }
}
