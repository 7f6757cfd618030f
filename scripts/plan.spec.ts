import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..');

function plan(...args: string[]): {
  code: number | null;
  stdout: string;
  stderr: string;
} {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'scripts/plan.ts'), ...args],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('plan cli', () => {
  it('should validate every shipped plan', () => {
    const r = plan('validate', 'plans');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('5 plan(s) valid');
  });

  it('should exit 1 with the file and field path when a plan is bad', () => {
    // Arrange
    const dir = mkdtempSync(join(tmpdir(), 'plan-cli-'));
    const text = readFileSync(
      join(ROOT, 'plans/xiaoman-orders-to-k3wise-so.yaml'),
      'utf8',
    );
    writeFileSync(
      join(dir, 'flow.yaml'),
      text.replace('  formId: /SO/Save\n', ''),
    );

    // Act
    const r = plan('validate', dir);

    // Assert
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `${join(dir, 'flow.yaml')}: target.formId: Required`,
    );
  });

  it('should validate one plan file, naming the file and line of a syntax error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plan-cli-'));
    const bad = join(dir, 'flow.json');
    writeFileSync(bad, '{"id": "x",\n  "source": 5,\n');

    const good = plan(
      'validate',
      'plans/wdt-stockout-to-k3cloud-outstock.yaml',
    );
    const r = plan('validate', bad);

    expect(good.code).toBe(0);
    expect(good.stdout).toContain('1 plan(s) valid');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}:3:`);
  });

  it('should print documents and per-record errors of a dry run', () => {
    // Arrange
    const fixture = join(
      ROOT,
      'libs/transform-engine/fixtures/jushuitan-count-loss-to-jdy',
    );

    // Act
    const r = plan(
      'dry-run',
      'plans/jushuitan-count-loss-to-jdy.yaml',
      join(fixture, 'input.json'),
      '--lookups',
      join(fixture, 'lookups.json'),
    );
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; fieldPath?: string });

    // Assert
    expect(r.code).toBe(1);
    expect(lines.map((l) => l.kind)).toEqual([
      'document',
      'filtered',
      'filtered',
      'error',
      'request',
    ]);
    expect(lines[3]?.fieldPath).toBe('material_entity[0].material_id');
  });

  it('should exit 1 naming the file and line of a records file that is not JSON', () => {
    // Arrange
    const dir = mkdtempSync(join(tmpdir(), 'plan-cli-'));
    const file = join(dir, 'records.ndjson');
    writeFileSync(file, '{"io_id": 1}\n\n{"io_id": 2,\n');

    // Act
    const r = plan('dry-run', 'plans/jushuitan-count-loss-to-jdy.yaml', file);

    // Assert
    expect(r.code).toBe(1);
    const line = JSON.parse(r.stdout.trim()) as {
      kind: string;
      message: string;
    };
    expect(line.kind).toBe('error');
    expect(line.message).toMatch(
      new RegExp(`^${file.replace(/[.]/g, '\\.')}:3: `),
    );
  });

  it('should exit 1 for a record that is not an object', () => {
    // Arrange
    const dir = mkdtempSync(join(tmpdir(), 'plan-cli-'));
    const file = join(dir, 'records.json');
    writeFileSync(file, '[[1, 2]]');

    // Act
    const r = plan('dry-run', 'plans/jushuitan-count-loss-to-jdy.yaml', file);

    // Assert
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({
      kind: 'error',
      record: 0,
      message: 'record 0: a record is a JSON object, not an array',
    });
  });

  it('should exit 1 with the line of a YAML error in the plan', () => {
    // Arrange
    const dir = mkdtempSync(join(tmpdir(), 'plan-cli-'));
    const planFile = join(dir, 'flow.yaml');
    writeFileSync(planFile, 'id: a\nname: b\nid: c\n');
    const records = join(dir, 'records.json');
    writeFileSync(records, '[]');

    // Act
    const r = plan('dry-run', planFile, records);

    // Assert
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(
      new RegExp(`^${planFile.replace(/[.]/g, '\\.')}:3: \\(syntax\\)`),
    );
  });

  it('should print the request the sink sends, with the source id the connector publishes', () => {
    // Arrange
    const fixture = join(
      ROOT,
      'libs/transform-engine/fixtures/jackyun-shops-to-k3cloud-customer',
    );
    const dir = mkdtempSync(join(tmpdir(), 'plan-cli-'));
    const file = join(dir, 'records.json');
    const raw = JSON.parse(
      readFileSync(join(fixture, 'input.json'), 'utf8'),
    ) as { payload: Record<string, unknown> }[];
    writeFileSync(file, JSON.stringify([raw[0]?.payload]));

    // Act
    const r = plan(
      'dry-run',
      'plans/jackyun-shops-to-k3cloud-customer.yaml',
      file,
    );
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);

    // Assert
    expect(r.code).toBe(0);
    const document = lines.find((l) => l['kind'] === 'document')?.[
      'document'
    ] as { lineage: { sourceIds: string[] } };
    expect(document.lineage.sourceIds).toEqual([
      String(raw[0]?.payload['channelId']),
    ]);
    const request = lines.find((l) => l['kind'] === 'request') as {
      billNos: string[];
      request: { path: string; body: { formid: string; data: unknown } };
    };
    expect(request.request.path).toBe(
      '/k3cloud/Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.BatchSave.common.kdsvc',
    );
    expect(request.request.body.formid).toBe('BD_Customer');
    expect(request.request.body.data).toMatchObject({
      IsAutoSubmitAndAudit: true,
      Model: [{ FNumber: request.billNos[0] }],
    });
  });
});
