import { describe, expect, it } from 'vitest';
import { applyConditions, compileConditions } from '../mapping/condition';
import { PlanCompileError } from '../mapping/plan-compile.error';
import type { ConditionInput, ConditionsInput } from '../plan/sync-plan.schema';

function passes(
  conditions: ConditionsInput,
  record: Record<string, unknown>,
  lists: string[] = [],
): boolean {
  return applyConditions(
    compileConditions(conditions, lists, 'filters'),
    record,
  ).pass;
}

describe('conditions', () => {
  it.each([
    [
      { field: 'tradeStatus', logic: 'gte', value: 6000 },
      { tradeStatus: 6000 },
      true,
    ],
    [
      { field: 'tradeStatus', logic: 'gte', value: 6000 },
      { tradeStatus: '5010' },
      false,
    ],
    [
      { field: 'tradeStatus', logic: 'gt', value: '6000' },
      { tradeStatus: 9090 },
      true,
    ],
    [{ field: 'status', logic: 'eq', value: 95 }, { status: '95' }, true],
    [{ field: 'status', logic: 'ne', value: 95 }, { status: 95 }, false],
    [{ field: 'qty', logic: 'lt', value: 0 }, { qty: '-0.5' }, true],
    [{ field: 'qty', logic: 'lte', value: 0 }, { qty: 0 }, true],
    [
      { field: 'companyCode', logic: 'eq', value: 'DSGL' },
      { companyCode: 'DSGL' },
      true,
    ],
    [
      { field: 'companyCode', logic: 'eq', value: 'DSGL' },
      { companyCode: 'dsgl' },
      false,
    ],
    [
      { field: 'status', logic: 'in', value: [95, 105] },
      { status: '105' },
      true,
    ],
    [{ field: 'status', logic: 'in', value: '95,105' }, { status: 110 }, false],
    [
      { field: 'remark', logic: 'like', value: '包材' },
      { remark: '月度包材盘点' },
      true,
    ],
    [
      { field: 'remark', logic: 'like', value: '包材%' },
      { remark: '月度包材盘点' },
      false,
    ],
    [
      { field: 'remark', logic: 'like', value: '%盘点' },
      { remark: '月度包材盘点' },
      true,
    ],
    [
      { field: 'remark', logic: 'not like', value: '包材' },
      { remark: '月度盘点' },
      true,
    ],
    [{ field: 'remark', logic: 'not like', value: '包材' }, {}, true],
    [
      { field: 'shop.code', logic: 'eq', value: 'A' },
      { shop: { code: 'A' } },
      true,
    ],
    [{ field: 'missing', logic: 'gt', value: 0 }, {}, false],
  ] as const)(
    'should evaluate %j against %j as %s',
    (condition, record, expected) => {
      expect(passes([condition as unknown as ConditionInput], record)).toBe(
        expected,
      );
    },
  );

  it.each([
    ['tradeStatus >= 6000', { tradeStatus: 6000 }, true],
    ['status = 95', { status: 95 }, true],
    ['status != 95', { status: 95 }, false],
    ['companyCode eq DSGL', { companyCode: 'DSGL' }, true],
    ["remark not like '包材'", { remark: '包材' }, false],
    ['status in (95, 105)', { status: 105 }, true],
    ['amount <> 0', { amount: '0.00' }, false],
  ] as const)('should parse the short form %s', (text, record, expected) => {
    expect(passes([text], record)).toBe(expected);
  });

  it('should keep only matching rows of a detail list and pass when one is left', () => {
    // Arrange
    const record = {
      io_id: 1,
      remark: '',
      items: [
        { sku: 'A', qty: -3 },
        { sku: 'B', qty: 5 },
        { sku: 'C', qty: '-1' },
      ],
    };

    // Act
    const result = applyConditions(
      compileConditions(['items.qty < 0'], ['items'], 'filters'),
      record,
    );

    // Assert
    expect(result.pass).toBe(true);
    expect(result.pass && result.record.items).toEqual([
      { sku: 'A', qty: -3 },
      { sku: 'C', qty: '-1' },
    ]);
    expect(record.items).toHaveLength(3);
  });

  it('should filter out a record when no row of its list matches', () => {
    const result = applyConditions(
      compileConditions(['items.qty < 0'], ['items'], 'filters'),
      { items: [{ qty: 1 }] },
    );
    expect(result).toEqual({
      pass: false,
      reason: 'items.qty < 0 (no row matches)',
    });
  });

  it('should pass when any OR group passes (condition_bk style)', () => {
    const groups: ConditionsInput = [
      ['companyCode = DSGL', 'channelType = 1'],
      ['companyCode = OTHER'],
    ];
    expect(passes(groups, { companyCode: 'OTHER', channelType: 9 })).toBe(true);
    expect(passes(groups, { companyCode: 'DSGL', channelType: 9 })).toBe(false);
    expect(passes(groups, { companyCode: 'DSGL', channelType: '1' })).toBe(
      true,
    );
  });

  it('should refuse an unparsable or forbidden condition with its plan path', () => {
    expect(() => compileConditions(['qty'], [], 'filters')).toThrow(
      PlanCompileError,
    );
    expect(() =>
      compileConditions(['a = 1', 'constructor.name = x'], [], 'filters'),
    ).toThrow('filters[1]');
    expect(() =>
      compileConditions(
        [{ field: '__proto__.x', logic: 'eq', value: 1 }],
        [],
        'source.filters',
      ),
    ).toThrow(/source\.filters\[0\]: forbidden/);
  });
});
