import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PlanValidationError, parsePlan } from '../plan/load-plans';
import { REPO_ROOT } from './fixture-runner';

const WDT_PLAN = readFileSync(
  join(REPO_ROOT, 'plans/wdt-stockout-to-k3cloud-outstock.yaml'),
  'utf8',
);
const MERGED_PLAN = readFileSync(
  join(REPO_ROOT, 'plans/jackyun-retail-orders-to-k3cloud-outstock.yaml'),
  'utf8',
);
const EXIT = `  filterExit:
    action: withdraw
    when:
      - status = 5 # 5 已取消
    query:
      status: '5'
`;

function issuesOf(text: string): readonly string[] {
  try {
    parsePlan(text, 'p.yaml');
  } catch (err) {
    if (err instanceof PlanValidationError) return err.issues;
    throw err;
  }
  throw new Error('expected a PlanValidationError');
}

function withExit(exit: string): string {
  expect(WDT_PLAN).toContain(EXIT);
  return WDT_PLAN.replace(EXIT, exit);
}

describe('plan source.filterExit', () => {
  it('should read the wdt plan: withdraw status 5, fetched by a status=5 query', () => {
    // Act
    const plan = parsePlan(WDT_PLAN, 'p.yaml');

    // Assert
    expect(plan.source.filterExit).toEqual({
      action: 'withdraw',
      when: ['status = 5'],
      query: { status: '5' },
    });
  });

  it.each([
    [
      '  filterExit:\n    action: cancel\n',
      /^p\.yaml: source\.filterExit\.action: /,
    ],
    [
      "  filterExit:\n    query: { end_time: '2026-01-01 00:00:00' }\n",
      /^p\.yaml: source\.filterExit\.query\.end_time: end_time is the window the connector fills/,
    ],
    [
      "  filterExit:\n    query: { page_no: '3' }\n",
      /^p\.yaml: source\.filterExit\.query\.page_no: paging params are filled by the connector/,
    ],
    [
      '  filterExit:\n    query: {}\n',
      /^p\.yaml: source\.filterExit\.query: name at least one param/,
    ],
    [
      "  filterExit:\n    query: { status: '{{CURRENT_TIME}}' }\n",
      /^p\.yaml: source\.filterExit\.query\.status: no templates/,
    ],
    [
      '  filterExit:\n    whenever: [status = 5]\n',
      /^p\.yaml: source\.filterExit: Unrecognized key/,
    ],
  ])('should refuse %j naming the field', (exit, message) => {
    expect(issuesOf(withExit(exit))).toEqual([expect.stringMatching(message)]);
  });

  it('should refuse exit conditions in a merged flow (it corrects its window instead)', () => {
    // Arrange
    const text = MERGED_PLAN.replace(
      '  filters:\n',
      '  filterExit:\n    when: [tradeStatus = 5010]\n  filters:\n',
    );

    // Act
    const issues = issuesOf(text);

    // Assert
    expect(issues).toEqual([
      expect.stringMatching(
        /^p\.yaml: source\.filterExit\.when: a merged flow takes a record that leaves the filters out of its window/,
      ),
    ]);
  });

  it('should name the exit condition that cannot be parsed', () => {
    expect(
      issuesOf(withExit('  filterExit:\n    when: [status five]\n')),
    ).toEqual([
      'p.yaml: source.filterExit.when[0]: cannot parse condition \'status five\' (expected "<field> <op> <value>")',
    ]);
  });
});
