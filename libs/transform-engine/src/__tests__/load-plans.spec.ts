import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PlanValidationError, loadPlans, parsePlan } from '../plan/load-plans';
import { REPO_ROOT } from './fixture-runner';

const CUSTOMER_PLAN = readFileSync(
  join(REPO_ROOT, 'plans/jackyun-shops-to-k3cloud-customer.yaml'),
  'utf8',
);

function issuesOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof PlanValidationError) return err.issues;
    throw err;
  }
  throw new Error('expected a PlanValidationError');
}

describe('plan loading', () => {
  it('should load and validate every shipped plan', async () => {
    const plans = await loadPlans(join(REPO_ROOT, 'plans'));
    expect(plans.map((p) => p.plan.id).sort()).toEqual([
      'jackyun-retail-orders-to-k3cloud-outstock',
      'jackyun-shops-to-k3cloud-customer',
      'jushuitan-count-loss-to-jdy',
      'wdt-stockout-to-k3cloud-outstock',
      'xiaoman-orders-to-k3wise-so',
    ]);
  });

  it('should name the file and the path of a missing field', () => {
    const text = CUSTOMER_PLAN.replace('  formId: BD_Customer\n', '');
    expect(issuesOf(() => parsePlan(text, 'plans/flow.yaml'))).toEqual([
      'plans/flow.yaml: target.formId: Required',
    ]);
  });

  it('should name the path of a wrong type inside the mapping', () => {
    const text = CUSTOMER_PLAN.replace(
      "params: FNumber }\n    value: '100'",
      "params: 7 }\n    value: '100'",
    );
    expect(
      issuesOf(() => parsePlan(text, 'plans/flow.yaml')).join('\n'),
    ).toMatch(/^plans\/flow\.yaml: mapping\[2\]\.parser/);
  });

  it('should refuse an expression that reaches for the process, with the field path', () => {
    const text = CUSTOMER_PLAN.replace(
      "value: '{channelName}'",
      'value: _function process.mainModule',
    );
    expect(issuesOf(() => parsePlan(text, 'plans/flow.yaml'))).toEqual([
      "plans/flow.yaml: mapping[0].value: _function: forbidden identifier 'process' (at 0)",
    ]);
  });

  it.each([
    ['_function require("fs")', /forbidden identifier 'require'/],
    ['_function {constructor.prototype}', /forbidden name 'constructor'/],
    ['{__proto__}', /forbidden name '__proto__'/],
    ['_function globalThis', /forbidden identifier 'globalThis'/],
    ['_function spawn("sh")', /function 'spawn' is not allowed/],
    [
      '_findCollection find constructor from materials where id={channelCode}',
      /forbidden name 'constructor'/,
    ],
    ['_mongoQuery something', /unsupported directive/],
  ])('should refuse the value %s', (value, message) => {
    const text = CUSTOMER_PLAN.replace(
      "value: '{channelName}'",
      `value: '${value.replace(/'/g, "''")}'`,
    );
    expect(issuesOf(() => parsePlan(text, 'p.yaml')).join('\n')).toMatch(
      message,
    );
  });

  it('should refuse merge-only variables in a per-record flow', () => {
    const text = CUSTOMER_PLAN.replace(
      "value: '{channelName}'",
      "value: '{_window.date}'",
    );
    expect(issuesOf(() => parsePlan(text, 'p.yaml'))).toEqual([
      'p.yaml: mapping: {_window.*} exists only in merge flows (add merge: or remove it)',
    ]);
  });

  it.each([
    [
      '  idField: channelId\n',
      '  idField: channelId\n  idCheck: true\n',
      'source.idCheck',
    ],
    [
      '  idField: channelId\n',
      '  idField: channelId\n  numberField: channelCode\n',
      'source.numberField',
    ],
    [
      '    rows: 20\n',
      '    rows: 20\n    rowsKey: array\n',
      'target.batch.rowsKey',
    ],
    [
      '    rows: 20\n',
      '    rows: 20\n    method: batchArraySave\n',
      'target.batch.method',
    ],
    [
      '  schedule:\n',
      '  schedule:\n    cron: "*/5 * * * *"\n',
      'source.schedule.cron',
    ],
  ])(
    'should refuse a setting nothing acts on (%#) with its path',
    (from, to, path) => {
      const text = CUSTOMER_PLAN.replace(from, to);
      expect(text).not.toBe(CUSTOMER_PLAN);
      const issues = issuesOf(() => parsePlan(text, 'p.yaml'));
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatch(
        new RegExp(`^p\\.yaml: ${path.replace(/\./g, '\\.')}: not supported: `),
      );
    },
  );

  it.each([
    ['  api: erp.sales.get\n', '  api: erp.shops.get\n', 'source.api'],
    ['  method: POST\n', '  method: GET\n', 'source.method'],
    ['  idField: channelId\n', '  idField: channelCode\n', 'source.idField'],
  ])(
    'should refuse a source %s that is not what the connector calls',
    (from, to, path) => {
      const text = CUSTOMER_PLAN.replace(from, to);
      expect(text).not.toBe(CUSTOMER_PLAN);
      expect(issuesOf(() => parsePlan(text, 'p.yaml'))).toEqual([
        expect.stringMatching(
          new RegExp(`^p\\.yaml: ${path.replace(/\./g, '\\.')}: `),
        ),
      ]);
    },
  );

  it('should refuse a _findCollection column a K3Cloud lookup table does not read, with its path', () => {
    const text = `${CUSTOMER_PLAN.replace(
      "value: '{channelName}'",
      'value: _findCollection find seller from k3_customers where number={channelCode}',
    )}lookups:\n  k3_customers:\n    source: k3cloud\n    formId: BD_Customer\n    columns: { number: FNumber, seller_number: FSELLER.FNumber }\n`;
    expect(issuesOf(() => parsePlan(text, 'p.yaml'))).toEqual([
      "p.yaml: mapping[0].value: column 'seller' is not one of lookups.k3_customers.columns (number, seller_number)",
    ]);
  });

  it('should report a YAML syntax error with the file and its line', () => {
    expect(
      issuesOf(() =>
        parsePlan('id: a\nname: b\nid: c\nseed: x\n', 'plans/bad.yaml'),
      )[0],
    ).toMatch(/^plans\/bad\.yaml:3: \(syntax\)/);
  });

  it('should collect the problems of every file and refuse duplicate flow ids', async () => {
    // Arrange
    const dir = mkdtempSync(join(tmpdir(), 'plans-'));
    writeFileSync(join(dir, 'a.yaml'), CUSTOMER_PLAN);
    writeFileSync(join(dir, 'b.yaml'), CUSTOMER_PLAN);
    writeFileSync(
      join(dir, 'c.yaml'),
      CUSTOMER_PLAN.replace('  pageSize: 50\n', ''),
    );

    // Act
    const error = await loadPlans(dir).then(
      () => undefined,
      (err: unknown) => err,
    );

    // Assert
    expect(error).toBeInstanceOf(PlanValidationError);
    expect((error as PlanValidationError).issues).toEqual([
      `${join(dir, 'c.yaml')}: source.pageSize: Required`,
      `${join(dir, 'b.yaml')}: id: duplicate flow id 'jackyun-shops-to-k3cloud-customer' (also in a.yaml)`,
    ]);
  });
});
