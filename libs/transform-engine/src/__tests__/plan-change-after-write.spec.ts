import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rawRecordSchema } from '@kingbridge/contracts';
import { compileFlow } from '../flow/flow-transformer';
import {
  InMemoryLookupProvider,
  type LookupRow,
} from '../lookup/lookup-provider';
import { PlanValidationError, parsePlan } from '../plan/load-plans';
import { FIXTURES_DIR, REPO_ROOT } from './fixture-runner';

const plan = (name: string): string =>
  readFileSync(join(REPO_ROOT, 'plans', name), 'utf8');
const WDT = plan('wdt-stockout-to-k3cloud-outstock.yaml');
const JDY = plan('jushuitan-count-loss-to-jdy.yaml');
const MERGED = plan('jackyun-retail-orders-to-k3cloud-outstock.yaml');
const ID_CHECK = '  idCheck: true\n';

/** The plan with these lines added to its target (after idCheck). */
function withTarget(text: string, lines: string): string {
  expect(text).toContain(ID_CHECK);
  return text.replace(ID_CHECK, `${ID_CHECK}${lines}`);
}

function issuesOf(text: string): readonly string[] {
  try {
    parsePlan(text, 'p.yaml');
  } catch (err) {
    if (err instanceof PlanValidationError) return err.issues;
    throw err;
  }
  throw new Error('expected a PlanValidationError');
}

describe('plan target.changeAfterWrite', () => {
  it('should default to dead_letter, without un-audit or reversal settings', () => {
    // Act
    const target = parsePlan(WDT, 'p.yaml').target;

    // Assert
    expect(target.changeAfterWrite).toBe('dead_letter');
    expect(target.unauditToUpdate).toBe(false);
    expect(target.reversal).toBeUndefined();
  });

  it('should read update with un-auditing and reverse with the negated entry fields', () => {
    // Act
    const update = parsePlan(
      withTarget(WDT, '  changeAfterWrite: update\n  unauditToUpdate: true\n'),
      'p.yaml',
    ).target;
    const reverse = parsePlan(
      withTarget(
        WDT,
        '  changeAfterWrite: reverse\n  reversal:\n    negate: [FEntity.FRealQty]\n',
      ),
      'p.yaml',
    ).target;

    // Assert
    expect(update).toMatchObject({
      changeAfterWrite: 'update',
      unauditToUpdate: true,
    });
    expect(reverse).toMatchObject({
      changeAfterWrite: 'reverse',
      reversal: { negate: ['FEntity.FRealQty'] },
    });
  });

  it.each([
    [
      JDY,
      '  changeAfterWrite: update\n',
      /^p\.yaml: target\.changeAfterWrite: .*update is not supported for jdy/,
    ],
    [
      JDY,
      '  changeAfterWrite: reverse\n  reversal: { negate: [entries.qty] }\n',
      /^p\.yaml: target\.changeAfterWrite: .*reverse is not supported for jdy/,
    ],
    [
      WDT,
      '  changeAfterWrite: reverse\n',
      /^p\.yaml: target\.reversal: .*reverse needs target\.reversal\.negate/,
    ],
    [
      WDT,
      '  changeAfterWrite: reverse\n  reversal: { negate: [FEntity.FNoSuchQty] }\n',
      /^p\.yaml: target\.reversal\.negate: .*FEntity\.FNoSuchQty is not a field of the mapping/,
    ],
    [
      WDT,
      '  reversal: { negate: [FEntity.FRealQty] }\n',
      /^p\.yaml: target\.reversal: .*applies to changeAfterWrite: reverse only/,
    ],
    [
      WDT,
      '  unauditToUpdate: true\n',
      /^p\.yaml: target\.unauditToUpdate: .*applies to changeAfterWrite: update only/,
    ],
    [
      WDT,
      '  changeAfterWrite: rewrite\n',
      /^p\.yaml: target\.changeAfterWrite: /,
    ],
    [
      MERGED,
      '  changeAfterWrite: update\n',
      /^p\.yaml: target\.changeAfterWrite: .*a merged flow sends correction documents/,
    ],
  ])(
    'should refuse a plan whose target says %#, naming the field',
    (text, lines, expected) => {
      // Act
      const issues = issuesOf(withTarget(text, lines));

      // Assert
      expect(issues).toEqual(
        expect.arrayContaining([expect.stringMatching(expected)]),
      );
    },
  );

  it.each([
    [
      'update',
      '  changeAfterWrite: update\n  unauditToUpdate: true\n',
      { changeAfterWrite: 'update', unauditToUpdate: true },
    ],
    [
      'reverse',
      '  changeAfterWrite: reverse\n  reversal: { negate: [FEntity.FRealQty, FEntity.FTaxPrice] }\n',
      {
        changeAfterWrite: 'reverse',
        reversal: { negate: ['FEntity.FRealQty', 'FEntity.FTaxPrice'] },
      },
    ],
  ])(
    'should carry the plan rule %s into each outbound document for the sink',
    async (_rule, lines, expected) => {
      // Arrange
      const dir = join(FIXTURES_DIR, 'wdt-stockout-to-k3cloud-outstock');
      const lookups = new InMemoryLookupProvider(
        JSON.parse(readFileSync(join(dir, 'lookups.json'), 'utf8')) as Record<
          string,
          LookupRow[]
        >,
      );
      const [first] = JSON.parse(
        readFileSync(join(dir, 'input.json'), 'utf8'),
      ) as unknown[];
      const record = rawRecordSchema.parse(first);
      const flow = compileFlow(parsePlan(withTarget(WDT, lines), 'p.yaml'), {
        lookups,
        clock: () => Date.parse('2026-05-02T02:00:00.000Z'),
      });
      await lookups.preload(flow.lookupQueries(record));

      // Act
      const outcome = flow.process(record);

      // Assert
      expect(outcome.outcome).toBe('mapped');
      if (outcome.outcome !== 'mapped') return;
      expect(outcome.documents[0]).toMatchObject(expected);
    },
  );
});
