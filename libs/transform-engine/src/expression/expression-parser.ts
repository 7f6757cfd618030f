import { Decimal } from '../util/decimal';
import { isForbiddenName } from '../util/forbidden-names.constant';
import { parsePath, type RecordPath } from '../util/record-path.util';
import { ExpressionSyntaxError } from './expression.error';
import {
  EXPRESSION_FUNCTIONS,
  type ExpressionFunction,
} from './expression-functions';
import { tokenize, type Token } from './expression-tokenizer';

export type BinaryOp =
  '+' | '-' | '*' | '/' | '%' | '==' | '!=' | '>' | '>=' | '<' | '<=';

/** Expression tree: a closed set of node kinds, evaluated by a tree walk. */
export type ExprNode =
  | { readonly k: 'lit'; readonly v: unknown }
  | {
      readonly k: 'ref';
      readonly row: boolean;
      readonly path: RecordPath;
      readonly text: string;
    }
  | { readonly k: 'neg'; readonly a: ExprNode }
  | { readonly k: 'not'; readonly a: ExprNode }
  | {
      readonly k: 'bin';
      readonly op: BinaryOp;
      readonly a: ExprNode;
      readonly b: ExprNode;
    }
  | { readonly k: 'and' | 'or'; readonly a: ExprNode; readonly b: ExprNode }
  | {
      readonly k: 'cond';
      readonly c: ExprNode;
      readonly a: ExprNode;
      readonly b: ExprNode;
    }
  | {
      readonly k: 'call';
      readonly name: string;
      readonly fn: ExpressionFunction;
      readonly args: readonly ExprNode[];
    };

/** Where an expression sits in a plan: the detail list `{{list.x}}` refers to, if any. */
export interface ExpressionScope {
  readonly rowList?: string;
}

/**
 * Resolves a `{path}` / `{{list.path}}` reference against the scope, refusing
 * forbidden segments and row references outside their detail list.
 */
export function resolveReference(
  text: string,
  row: boolean,
  scope: ExpressionScope,
  pos = 0,
): ExprNode {
  const full = parsePath(text);
  const bad = full.find((s) => s === '' || isForbiddenName(s));
  if (bad !== undefined)
    throw new ExpressionSyntaxError(
      `forbidden name '${bad}' in reference '${text}'`,
      pos,
    );
  if (!row) return { k: 'ref', row: false, path: full, text };
  const list = scope.rowList;
  if (list === undefined) {
    throw new ExpressionSyntaxError(
      `row reference '{{${text}}}' used outside a detail list`,
      pos,
    );
  }
  if (!text.startsWith(`${list}.`)) {
    throw new ExpressionSyntaxError(
      `row reference '{{${text}}}' does not belong to list '${list}'`,
      pos,
    );
  }
  return {
    k: 'ref',
    row: true,
    path: parsePath(text.slice(list.length + 1)),
    text,
  };
}

const MAX_DEPTH = 64;
const MAX_SOURCE_LENGTH = 4000;

class Parser {
  private i = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly scope: ExpressionScope,
  ) {}

  parse(): ExprNode {
    const node = this.ternary();
    const t = this.peek();
    if (t.kind !== 'eof')
      throw new ExpressionSyntaxError('unexpected token', t.pos);
    return node;
  }

  private peek(): Token {
    return this.tokens[this.i] as Token;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i += 1;
    return t;
  }

  private isOp(op: string): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.op === op;
  }

  private isWord(word: string): boolean {
    const t = this.peek();
    return t.kind === 'ident' && t.name.toLowerCase() === word;
  }

  private expectOp(op: string): void {
    const t = this.next();
    if (t.kind !== 'op' || t.op !== op)
      throw new ExpressionSyntaxError(`expected '${op}'`, t.pos);
  }

  private depth = 0;

  private nested(parse: () => ExprNode): ExprNode {
    this.depth += 1;
    try {
      if (this.depth > MAX_DEPTH) {
        throw new ExpressionSyntaxError(
          `expression nested deeper than ${MAX_DEPTH}`,
          this.peek().pos,
        );
      }
      return parse();
    } finally {
      this.depth -= 1;
    }
  }

  private ternary(): ExprNode {
    // Every nesting level (parentheses, arguments, unary chains) passes here.
    this.depth += 1;
    try {
      return this.ternaryInner();
    } finally {
      this.depth -= 1;
    }
  }

  private ternaryInner(): ExprNode {
    if (this.depth > MAX_DEPTH) {
      throw new ExpressionSyntaxError(
        `expression nested deeper than ${MAX_DEPTH}`,
        this.peek().pos,
      );
    }
    const c = this.or();
    if (!this.isOp('?')) return c;
    this.next();
    const a = this.ternary();
    this.expectOp(':');
    const b = this.ternary();
    return { k: 'cond', c, a, b };
  }

  private or(): ExprNode {
    return this.leftAssociative('or', '||', () => this.and());
  }

  private and(): ExprNode {
    return this.leftAssociative('and', '&&', () => this.not());
  }

  /** `operand (op operand)*` folded to the left; the operator is written as a symbol or as the word `k`. */
  private leftAssociative(
    k: 'or' | 'and',
    op: '||' | '&&',
    operand: () => ExprNode,
  ): ExprNode {
    let a = operand();
    while (this.isOp(op) || this.isWord(k)) {
      this.next();
      a = { k, a, b: operand() };
    }
    return a;
  }

  private not(): ExprNode {
    if (this.isOp('!') || this.isWord('not')) {
      this.next();
      return { k: 'not', a: this.nested(() => this.not()) };
    }
    return this.comparison();
  }

  private comparison(): ExprNode {
    const a = this.additive();
    const t = this.peek();
    if (t.kind !== 'op') return a;
    const map: Record<string, BinaryOp | undefined> = {
      '==': '==',
      '=': '==',
      '!=': '!=',
      '<>': '!=',
      '>': '>',
      '>=': '>=',
      '<': '<',
      '<=': '<=',
    };
    const op = Object.prototype.hasOwnProperty.call(map, t.op)
      ? map[t.op]
      : undefined;
    if (!op) return a;
    this.next();
    return { k: 'bin', op, a, b: this.additive() };
  }

  private additive(): ExprNode {
    let a = this.multiplicative();
    while (this.isOp('+') || this.isOp('-')) {
      const op = (this.next() as { op: '+' | '-' }).op;
      a = { k: 'bin', op, a, b: this.multiplicative() };
    }
    return a;
  }

  private multiplicative(): ExprNode {
    let a = this.unary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('%')) {
      const op = (this.next() as { op: '*' | '/' | '%' }).op;
      a = { k: 'bin', op, a, b: this.unary() };
    }
    return a;
  }

  private unary(): ExprNode {
    if (this.depth > MAX_DEPTH) {
      throw new ExpressionSyntaxError(
        `expression nested deeper than ${MAX_DEPTH}`,
        this.peek().pos,
      );
    }
    if (this.isOp('-')) {
      this.next();
      return { k: 'neg', a: this.nested(() => this.unary()) };
    }
    if (this.isOp('+')) {
      this.next();
      return this.unary();
    }
    return this.primary();
  }

  private primary(): ExprNode {
    const t = this.next();
    switch (t.kind) {
      case 'number':
        return { k: 'lit', v: Decimal.parse(t.text) };
      case 'string':
        return { k: 'lit', v: t.value };
      case 'ref':
        return resolveReference(t.path, t.row, this.scope, t.pos);
      case 'op':
        if (t.op === '(') {
          const inner = this.ternary();
          this.expectOp(')');
          return inner;
        }
        throw new ExpressionSyntaxError(`unexpected '${t.op}'`, t.pos);
      case 'ident':
        return this.identifier(t.name, t.pos);
      case 'eof':
        throw new ExpressionSyntaxError('unexpected end of expression', t.pos);
    }
  }

  private identifier(name: string, pos: number): ExprNode {
    if (isForbiddenName(name))
      throw new ExpressionSyntaxError(`forbidden identifier '${name}'`, pos);
    const lower = name.toLowerCase();
    if (!this.isOp('(')) {
      if (lower === 'true') return { k: 'lit', v: true };
      if (lower === 'false') return { k: 'lit', v: false };
      if (lower === 'null') return { k: 'lit', v: null };
      throw new ExpressionSyntaxError(
        `unknown identifier '${name}' (record fields are written {field})`,
        pos,
      );
    }
    this.next();
    const args: ExprNode[] = [];
    if (!this.isOp(')')) {
      for (;;) {
        args.push(this.ternary());
        if (!this.isOp(',')) break;
        this.next();
      }
    }
    this.expectOp(')');
    if (lower === 'if' || lower === 'iif') {
      if (args.length !== 3)
        throw new ExpressionSyntaxError(`${name}() takes 3 arguments`, pos);
      const [c, a, b] = args as [ExprNode, ExprNode, ExprNode];
      return { k: 'cond', c, a, b };
    }
    const fn = EXPRESSION_FUNCTIONS.get(lower);
    if (!fn)
      throw new ExpressionSyntaxError(`function '${name}' is not allowed`, pos);
    if (args.length < fn.minArgs || args.length > fn.maxArgs) {
      throw new ExpressionSyntaxError(
        `${name}() takes ${fn.minArgs}..${fn.maxArgs} arguments, got ${args.length}`,
        pos,
      );
    }
    return { k: 'call', name: lower, fn, args };
  }
}

/** Parses an expression (the text after `_function`). Throws ExpressionSyntaxError. */
export function parseExpression(
  source: string,
  scope: ExpressionScope = {},
): ExprNode {
  if (source.length > MAX_SOURCE_LENGTH) {
    throw new ExpressionSyntaxError(
      `expression longer than ${MAX_SOURCE_LENGTH} characters`,
      MAX_SOURCE_LENGTH,
    );
  }
  return new Parser(tokenize(source), scope).parse();
}
