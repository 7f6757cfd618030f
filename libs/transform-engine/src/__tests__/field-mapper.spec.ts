import { describe, expect, it } from 'vitest';
import { checkFields, compileFields, mapFields } from '../mapping/field-mapper';
import type { MapContext } from '../mapping/value-template';
import type { MappingFieldInput } from '../plan/sync-plan.schema';

const NO_LOOKUPS: MapContext['lookups'] = {
  preload: () => Promise.resolve(),
  get: () => undefined,
};

function contextOf(root: unknown): MapContext {
  return {
    root,
    row: undefined,
    offsetMinutes: 480,
    nowMs: 0,
    lookups: NO_LOOKUPS,
    collect: undefined,
  };
}

function compile(fields: readonly MappingFieldInput[]) {
  const lists = new Set<string>();
  return { fields: compileFields(fields, 'mapping', undefined, lists), lists };
}

function compileError(fields: readonly MappingFieldInput[]): string {
  try {
    compile(fields);
  } catch (err) {
    return (err as Error).message;
  }
  return 'compiled';
}

function mapError(
  fields: readonly MappingFieldInput[],
  record: Record<string, unknown>,
): { message: string; fieldPath: unknown } | undefined {
  try {
    mapFields(compile(fields).fields, contextOf(record), {}, '');
  } catch (err) {
    return {
      message: (err as Error).message,
      fieldPath: (err as { fieldPath?: unknown }).fieldPath,
    };
  }
  return undefined;
}

const ENTRY: MappingFieldInput = {
  field: 'FEntity',
  type: 'array',
  value: '{{items}}',
  children: [{ field: 'FQty', value: '{{items.qty}}', type: 'number' }],
};

describe('field mapper', () => {
  it('should compile an array over its detail list and an object over the enclosing one when both have children', () => {
    // Arrange
    const fields: MappingFieldInput[] = [
      ENTRY,
      {
        field: 'FCustomer',
        parser: 'ConvertObjectParser',
        children: [{ field: 'FName', value: '{name}' }],
      },
    ];

    // Act
    const { fields: compiled, lists } = compile(fields);

    // Assert
    expect([...lists]).toEqual(['items']);
    expect(compiled.map((f) => Object.keys(f))).toEqual([
      ['kind', 'key', 'list', 'listPath', 'children'],
      ['kind', 'key', 'children', 'wrapKey'],
    ]);
    expect(compiled[0]).toMatchObject({ kind: 'array', list: 'items' });
    expect(compiled[1]).toMatchObject({ kind: 'object', wrapKey: 'FNumber' });
  });

  it('should name the field kind when an array or object field has no children', () => {
    // Arrange
    const array: MappingFieldInput = {
      field: 'A',
      type: 'array',
      value: '{{bad list}}',
    };
    const object: MappingFieldInput = {
      field: 'O',
      type: 'object',
      children: [],
    };

    // Act
    const errors = [compileError([array]), compileError([object])];

    // Assert: the missing children are reported before the list is looked at
    expect(errors).toEqual([
      'mapping[0].children: an array field needs children',
      'mapping[0].children: an object field needs children',
    ]);
  });

  it('should reject the list an array names when it is invalid, nested or not a list', () => {
    // Arrange
    const child = [{ field: 'X', value: '1' }];
    const invalid: MappingFieldInput = {
      field: 'A',
      type: 'array',
      value: '{{a b}}',
      children: child,
    };
    const notAList: MappingFieldInput = {
      field: 'A',
      type: 'array',
      value: 3,
      children: child,
    };
    const nested: MappingFieldInput = {
      ...ENTRY,
      children: [
        { field: 'B', type: 'array', value: '{{more}}', children: child },
      ],
    };

    // Act
    const errors = [invalid, notAList, nested].map((f) => compileError([f]));

    // Assert
    expect(errors).toEqual([
      "mapping[0].value: invalid list path '{{a b}}'",
      'mapping[0].value: an array value must name a detail list',
      'mapping[0].children[0].value: nested detail lists are not supported',
    ]);
  });

  it('should map one row per detail row, and say where when the record has no such list', () => {
    // Arrange
    const record = { items: [{ qty: '2' }, { qty: '3.5' }] };
    const out: Record<string, unknown> = {};

    // Act
    mapFields(compile([ENTRY]).fields, contextOf(record), out, '');
    const missing = mapError([ENTRY], { items: 'none' });

    // Assert
    expect(out).toEqual({ FEntity: [{ FQty: 2 }, { FQty: 3.5 }] });
    expect(missing).toEqual({
      message: "detail list 'items' is missing or not a list",
      fieldPath: 'FEntity',
    });
    expect(() =>
      checkFields(compile([ENTRY]).fields, contextOf({ items: 'none' }), ''),
    ).toThrow("detail list 'items' is missing or not a list");
  });

  it('should take the default, leave an optional field out, or fail with the path when a value is missing', () => {
    // Arrange
    const fields: MappingFieldInput[] = [
      { field: 'FNote', value: '{note}', default: 'none' },
      { field: 'FRemark', value: '{remark}', optional: true },
    ];
    const out: Record<string, unknown> = {};

    // Act
    mapFields(compile(fields).fields, contextOf({}), out, 'doc');
    const required = mapError([{ field: 'FDate', value: '{date}' }], {});

    // Assert
    expect(out).toEqual({ FNote: 'none' });
    expect(required).toEqual({
      message: 'missing value for FDate',
      fieldPath: 'FDate',
    });
    expect(() =>
      checkFields(compile(fields).fields, contextOf({}), 'doc'),
    ).not.toThrow();
  });
});
