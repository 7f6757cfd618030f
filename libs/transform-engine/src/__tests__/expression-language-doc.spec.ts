import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { evaluate } from '../expression/expression-evaluator';
import {
  ExpressionEvaluationError,
  ExpressionSyntaxError,
} from '../expression/expression.error';
import { EXPRESSION_FUNCTIONS } from '../expression/expression-functions';
import { parseExpression } from '../expression/expression-parser';
import { toOutput } from '../expression/expression-value';
import { FORBIDDEN_NAMES } from '../util/forbidden-names.constant';

// The grammar reference is checked against the parser: every `example` block
// in it runs here, so the page cannot drift from the language.
const ROOT = resolve(__dirname, '../../../..');
const DOC = readFileSync(
  resolve(ROOT, 'docs/plans/expression-language.md'),
  'utf8',
);
const NOW = Date.parse('2026-05-01T16:30:00.000Z'); // 2026-05-02 00:30 in Asia/Shanghai
const BEIJING = 480;

interface Example {
  readonly expression: string;
  readonly fields: ReadonlyMap<string, string>;
}

function examples(): Example[] {
  return [...DOC.matchAll(/^```example\n([\s\S]*?)^```$/gm)].map((m) => {
    const fields = new Map<string, string>();
    for (const line of (m[1] ?? '').split('\n').filter((l) => l !== '')) {
      const at = line.indexOf(': ');
      if (at < 0) throw new Error(`example line without 'key: ': ${line}`);
      fields.set(line.slice(0, at), line.slice(at + 2));
    }
    const expression = fields.get('expression');
    if (expression === undefined)
      throw new Error(`example without expression: ${m[0]}`);
    return { expression, fields };
  });
}

const json = (text: string | undefined): unknown =>
  text === undefined ? undefined : (JSON.parse(text) as unknown);

function run(example: Example): unknown {
  const list = example.fields.get('list');
  const node = parseExpression(
    example.expression,
    list === undefined ? {} : { rowList: list },
  );
  const value = evaluate(node, {
    root: json(example.fields.get('record')) ?? {},
    row: json(example.fields.get('row')),
    offsetMinutes: BEIJING,
    nowMs: NOW,
  });
  return toOutput(value, BEIJING);
}

/** Every `_function` expression of a shipped plan, as the plan writes it. */
function planExpressions(file: string): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      const m = /^_function\s+([\s\S]*)$/i.exec(v.trim());
      if (m?.[1] !== undefined) out.push(m[1]);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object')
      Object.values(v).forEach(walk);
  };
  walk(parseYaml(readFileSync(resolve(ROOT, 'plans', file), 'utf8')));
  return out;
}

const all = examples();

describe('the expression language reference (docs/plans/expression-language.md)', () => {
  it('should hold examples of results, refusals and failures', () => {
    const kinds = all.map((e) =>
      ['result', 'refused', 'fails'].filter((k) => e.fields.has(k)),
    );
    for (const k of kinds) expect(k).toHaveLength(1);
    for (const kind of ['result', 'refused', 'fails'])
      expect(kinds.filter((k) => k[0] === kind).length).toBeGreaterThan(0);
  });

  it.each(all.map((e) => [e.expression, e] as const))(
    'should give what the page says for %s',
    (_text, example) => {
      const refused = example.fields.get('refused');
      const fails = example.fields.get('fails');
      if (refused !== undefined) {
        expect(() => run(example)).toThrow(ExpressionSyntaxError);
        expect(() => run(example)).toThrow(refused);
      } else if (fails !== undefined) {
        expect(() => run(example)).toThrow(ExpressionEvaluationError);
        expect(() => run(example)).toThrow(fails);
      } else {
        expect(run(example)).toEqual(json(example.fields.get('result')));
      }
    },
  );

  it('should quote the shipped plans word for word where it says so', () => {
    const quoted = all.filter((e) => e.fields.has('plan'));
    expect(quoted.length).toBeGreaterThan(0);
    for (const e of quoted)
      expect(planExpressions(e.fields.get('plan') ?? '')).toContain(
        e.expression,
      );
  });

  it('should list every function the parser allows and no other', () => {
    const allowed = new Set([...EXPRESSION_FUNCTIONS.keys(), 'if', 'iif']);
    const text = DOC.toLowerCase();
    for (const name of allowed)
      expect(
        text.includes(`\`${name}(`) || text.includes(`\`${name}\``),
        name,
      ).toBe(true);
    const section = DOC.slice(
      DOC.indexOf('## Functions'),
      DOC.indexOf('## What is refused'),
    );
    const tableRows = section.split('\n').filter((l) => l.startsWith('| `'));
    for (const row of tableRows)
      for (const m of row.matchAll(/`([A-Za-z_]+)\(/g))
        expect(allowed.has((m[1] ?? '').toLowerCase()), m[1]).toBe(true);
  });

  it('should name every forbidden name', () => {
    const section = DOC.slice(DOC.indexOf('## What is refused'));
    for (const name of FORBIDDEN_NAMES)
      expect(section, name).toContain(`\`${name}\``);
  });
});
