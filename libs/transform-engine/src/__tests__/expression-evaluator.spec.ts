import { describe, expect, it } from 'vitest';
import { evaluate } from '../expression/expression-evaluator';
import {
  ExpressionEvaluationError,
  ExpressionSyntaxError,
} from '../expression/expression.error';
import { parseExpression } from '../expression/expression-parser';
import { toOutput } from '../expression/expression-value';

const NOW = Date.parse('2026-05-01T16:30:00.000Z'); // 2026-05-02 00:30 in Asia/Shanghai

function run(
  source: string,
  root: unknown = {},
  row?: unknown,
  rowList?: string,
): unknown {
  const node = parseExpression(source, rowList ? { rowList } : {});
  return toOutput(
    evaluate(node, { root, row, offsetMinutes: 480, nowMs: NOW }),
    480,
  );
}

describe('expression evaluator', () => {
  it.each([
    ['{exchange_rate}/100', { exchange_rate: 712.5 }, 7.125],
    ['1 + 2 * 3 - 4 / 2', {}, 5],
    ['(1 + 2) * 3 % 4', {}, 1],
    ['-{a} + 1', { a: '2.5' }, -1.5],
    ['abs({qty})', { qty: -3 }, 3],
    ['round({x}, 2)', { x: '2.345' }, 2.35],
    ['round({x})', { x: -2.5 }, -3],
    ['floor(-1.2) + ceil(1.2)', {}, 0],
    ['min(3, {a}, 2) + max(1, 5)', { a: 1 }, 6],
    ['0.1 + 0.2', {}, 0.3],
    ['{a} + {b}', { a: '0.1', b: '0.2' }, 0.3],
    ['1 / 3', {}, 0.3333333333],
    ['{p} > 0 ? "false" : "true"', { p: '0.0000' }, 'true'],
    ['{p} > 0 ? "false" : "true"', { p: '10.0000' }, 'false'],
    ['if({a} >= 10 and {b} != "x", "big", "small")', { a: 10, b: 'y' }, 'big'],
    ['not ({a} == 1) || false', { a: 1 }, false],
    ['{a} <> 2 && {a} <= 1 && {a} = 1', { a: 1 }, true],
    ['concat("JY-", {no}, "-", 7)', { no: 'A1' }, 'JY-A1-7'],
    ['"a" + "b"', {}, 'ab'],
    ['upper(trim("  ab ")) + lower("CD")', {}, 'ABcd'],
    [
      'substr("吉客云零售", 1, 2) + left("abc", 1) + right("abc", 2)',
      {},
      '客云abc',
    ],
    ['replace("a-b-c", "-", "")', {}, 'abc'],
    ['length("包材ab")', {}, 4],
    [
      'contains({remark}, "包材") or startsWith("abc", "a") and endsWith("abc", "c")',
      { remark: '无' },
      true,
    ],
    ['coalesce({missing}, "", "x")', {}, 'x'],
    ['ifnull({missing}, 0) + 1', {}, 1],
    ['isEmpty({missing})', {}, true],
    ['fixed({a}, 2)', { a: 3 }, '3.00'],
    [
      'formatDate({t}, "yyyy-MM-dd")',
      { t: '2026-05-01 23:59:59' },
      '2026-05-01',
    ],
    [
      'formatDate("2026-05-01T16:10:00Z", "yyyy-MM-dd HH:mm:ss")',
      {},
      '2026-05-02 00:10:00',
    ],
    [
      'formatDate(addDays({t}, 1), "yyyyMMdd")',
      { t: '2026-05-31' },
      '20260601',
    ],
    ['dateDiff("2026-05-03", "2026-05-01")', {}, 2],
    ['formatDate(now(), "yyyy-MM-dd")', {}, '2026-05-02'],
    [
      'FROM_UNIXTIME(unix_timestamp() - 604800, "%Y-%m-%d %H:%i:%s")',
      {},
      '2026-04-25 00:30:00',
    ],
    ['{{items.qty}} * 2', {}, -6, { qty: -3 }, 'items'],
    ['{a.b.c}', { a: { b: { c: 5 } } }, 5],
    ['{list.1.x}', { list: [{ x: 1 }, { x: 2 }] }, 2],
  ] as const)(
    'should evaluate %s',
    (source, root, expected, row?: unknown, list?: string) => {
      expect(run(source, root, row, list)).toEqual(expected);
    },
  );

  it('should keep money sums exact when adding many cents', () => {
    // Arrange
    const source = Array.from({ length: 500 }, () => '0.01').join('+');

    // Act
    const result = run(source);

    // Assert
    expect(result).toBe(5);
  });

  it.each([
    ['{a} / 0', { a: 1 }, /division by zero/],
    ['{a} * 2', { a: 'abc' }, /not a number/],
    ['{missing} + 1', {}, /missing/],
    ['formatDate({a}, "yyyy")', { a: 'not a date' }, /not a date/],
  ])('should fail with an evaluation error for %s', (source, root, message) => {
    expect(() => run(source, root)).toThrow(ExpressionEvaluationError);
    expect(() => run(source, root)).toThrow(message);
  });

  it('should not read inherited properties of record data', () => {
    expect(run('isEmpty({a.toString})', { a: {} })).toBe(true);
    expect(run('isEmpty({a.length})', { a: [1, 2] })).toBe(true);
  });
});

describe('expression safety', () => {
  it.each([
    'process.exit(1)',
    'process',
    'require("child_process")',
    'constructor',
    'this',
    'globalThis',
    '{a.constructor}',
    '{__proto__.polluted}',
    '{{items.__proto__}}',
    '{a.prototype}',
    'constructor.constructor("return process")()',
    '"".constructor',
    'toString()',
    'valueOf()',
    'hasOwnProperty("x")',
    'eval("1")',
    'Function("return 1")',
    'setTimeout(1)',
    'fetch("http://x")',
    'import("fs")',
    'a[0]',
    '{a}["constructor"]',
    '{a}.constructor',
    'x => 1',
    '`template`',
    '{a}; process.exit(1)',
  ])('should refuse %s at parse time', (source) => {
    expect(() => parseExpression(source, { rowList: 'items' })).toThrow(
      ExpressionSyntaxError,
    );
  });

  it('should refuse expressions nested too deeply or too long', () => {
    expect(() =>
      parseExpression(`${'('.repeat(100)}1${')'.repeat(100)}`),
    ).toThrow(/nested deeper/);
    expect(() => parseExpression('-'.repeat(200) + '1')).toThrow(
      /nested deeper/,
    );
    expect(() => parseExpression('1+'.repeat(3000) + '1')).toThrow(
      /longer than/,
    );
    expect(run(`${'('.repeat(30)}1${')'.repeat(30)}`)).toBe(1);
  });

  it('should refuse a row reference outside its detail list', () => {
    expect(() => parseExpression('{{items.qty}}')).toThrow(
      /outside a detail list/,
    );
    expect(() =>
      parseExpression('{{other.qty}}', { rowList: 'items' }),
    ).toThrow(/does not belong/);
  });

  it('should treat hostile text inside string literals as plain data', () => {
    expect(run('concat("process.exit(1)", "__proto__")')).toBe(
      'process.exit(1)__proto__',
    );
  });

  it('should not pollute Object.prototype through record data', () => {
    // Arrange
    const root = JSON.parse(
      '{"__proto__": {"polluted": "yes"}, "a": 1}',
    ) as unknown;

    // Act
    run('{a} + 1', root);

    // Assert
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
