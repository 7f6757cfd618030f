import { isForbiddenName } from '../util/forbidden-names.constant';
import { ExpressionSyntaxError } from './expression.error';

export type Token =
  | { readonly kind: 'number'; readonly text: string; readonly pos: number }
  | { readonly kind: 'string'; readonly value: string; readonly pos: number }
  | {
      readonly kind: 'ref';
      readonly row: boolean;
      readonly path: string;
      readonly pos: number;
    }
  | { readonly kind: 'ident'; readonly name: string; readonly pos: number }
  | { readonly kind: 'op'; readonly op: string; readonly pos: number }
  | { readonly kind: 'eof'; readonly pos: number };

const OPERATORS = [
  '==',
  '!=',
  '<>',
  '>=',
  '<=',
  '&&',
  '||',
  '(',
  ')',
  ',',
  '?',
  ':',
  '+',
  '-',
  '*',
  '/',
  '%',
  '>',
  '<',
  '=',
  '!',
];

/**
 * Splits an expression into tokens. Record references are written `{path}`
 * (the record) or `{{list.field}}` (the current detail row); everything else
 * is numbers, quoted strings, function names and operators.
 */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    const start = i;
    if (ch === '{') {
      const row = source[i + 1] === '{';
      const close = row ? '}}' : '}';
      const end = source.indexOf(close, i + (row ? 2 : 1));
      if (end < 0)
        throw new ExpressionSyntaxError(
          `unclosed reference '${row ? '{{' : '{'}'`,
          start,
        );
      const path = source.slice(i + (row ? 2 : 1), end).trim();
      if (!/^[\p{L}\p{N}_$]+(\.[\p{L}\p{N}_$]+)*$/u.test(path)) {
        throw new ExpressionSyntaxError(`invalid reference '${path}'`, start);
      }
      tokens.push({ kind: 'ref', row, path, pos: start });
      i = end + close.length;
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(source[i + 1] ?? ''))) {
      const m = /^\d*\.?\d+(?:[eE][+-]?\d+)?|^\d+\.?/.exec(source.slice(i));
      const text = (m as RegExpExecArray)[0];
      tokens.push({ kind: 'number', text, pos: start });
      i += text.length;
      continue;
    }
    if (ch === "'" || ch === '"') {
      let value = '';
      i += 1;
      while (i < source.length && source[i] !== ch) {
        if (source[i] === '\\' && i + 1 < source.length) {
          const next = source[i + 1] as string;
          value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
          i += 2;
        } else {
          value += source[i];
          i += 1;
        }
      }
      if (i >= source.length)
        throw new ExpressionSyntaxError('unterminated string', start);
      i += 1;
      tokens.push({ kind: 'string', value, pos: start });
      continue;
    }
    if (/[A-Za-z_$]/.test(ch)) {
      const m = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(source.slice(i));
      const name = (m as RegExpExecArray)[0];
      // Refused as early as possible, whatever follows (process.x, constructor[...]).
      if (isForbiddenName(name))
        throw new ExpressionSyntaxError(
          `forbidden identifier '${name}'`,
          start,
        );
      tokens.push({ kind: 'ident', name, pos: start });
      i += name.length;
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (!op)
      throw new ExpressionSyntaxError(`unexpected character '${ch}'`, start);
    tokens.push({ kind: 'op', op, pos: start });
    i += op.length;
  }
  tokens.push({ kind: 'eof', pos: source.length });
  return tokens;
}
