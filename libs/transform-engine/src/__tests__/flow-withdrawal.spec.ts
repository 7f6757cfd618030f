import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  outboundDocumentSchema,
  rawRecordSchema,
  type RawRecord,
} from '@kingbridge/contracts';
import { contentHash } from '@kingbridge/pipeline-core';
import { describe, expect, it } from 'vitest';
import { compileFlow, type RecordOutcome } from '../flow/flow-transformer';
import {
  InMemoryLookupProvider,
  type LookupRow,
} from '../lookup/lookup-provider';
import type { SyncPlan } from '../plan/sync-plan.schema';
import { FIXTURES_DIR, loadFixturePlan } from './fixture-runner';

const FLOW = 'wdt-stockout-to-k3cloud-outstock';
const NOW = Date.parse('2026-05-02T02:00:00.000Z');
const LOOKUPS = JSON.parse(
  readFileSync(join(FIXTURES_DIR, FLOW, 'lookups.json'), 'utf8'),
) as Record<string, LookupRow[]>;
const INPUT = JSON.parse(
  readFileSync(join(FIXTURES_DIR, FLOW, 'input.json'), 'utf8'),
) as unknown[];
/** The fixture's shipped stock-out (status 95) whose sales order K3Cloud has. */
const SHIPPED = rawRecordSchema.parse(INPUT[0]);

function version(
  base: RawRecord,
  changes: Record<string, unknown>,
  modifiedAt = '2026-05-02T01:30:00.000Z',
): RawRecord {
  const payload = { ...base.payload, ...changes };
  return { ...base, payload, contentHash: contentHash(payload), modifiedAt };
}

async function run(
  records: readonly RawRecord[],
  plan: SyncPlan = loadFixturePlan(FLOW),
): Promise<RecordOutcome[]> {
  const lookups = new InMemoryLookupProvider(LOOKUPS);
  const flow = compileFlow(plan, { lookups, clock: () => NOW });
  await lookups.preload(records.flatMap((r) => flow.lookupQueries(r)));
  return records.map((r) => flow.process(r));
}

function documentsOf(outcome: RecordOutcome | undefined) {
  if (outcome?.outcome !== 'mapped')
    throw new Error(`expected documents, got ${JSON.stringify(outcome)}`);
  return outcome.documents;
}

function withExit(exit: unknown): SyncPlan {
  const plan = loadFixturePlan(FLOW);
  return {
    ...plan,
    source: {
      ...plan.source,
      filterExit: exit as SyncPlan['source']['filterExit'],
    },
  };
}

describe('per-record flow: a record that leaves the filters', () => {
  it('should withdraw a cancelled stock-out under the key and bill number its shipped version had, mapped the same', async () => {
    // Arrange
    const cancelled = version(SHIPPED, { status: 5, trade_status: 5 });

    // Act
    const [shipped, withdrawn] = await run([SHIPPED, cancelled]);

    // Assert
    const [written] = documentsOf(shipped);
    const docs = documentsOf(withdrawn);
    expect(docs).toHaveLength(1);
    const [w] = docs;
    expect(written?.withdrawn).toBeUndefined();
    expect(w?.withdrawn).toEqual({
      reason: 'source filter: status = 95 (is 5)',
    });
    expect(w?.documentKey).toBe(`${FLOW}:${String(SHIPPED.sourceId)}`);
    expect(w?.documentKey).toBe(written?.documentKey);
    expect(w?.billNo).toBe(written?.billNo);
    expect(w?.document).toEqual(written?.document);
    expect(w?.lineage.sourceIds).toEqual([SHIPPED.sourceId]);
    expect(outboundDocumentSchema.safeParse(w).success).toBe(true);
  });

  it('should drop a stock-out that never shipped or moved on to completed (not an exit status)', async () => {
    // Arrange
    const audited = version(SHIPPED, { status: 55 });
    const completed = version(SHIPPED, { status: 110 });

    // Act
    const outcomes = await run([audited, completed]);

    // Assert
    expect(outcomes).toEqual([
      { outcome: 'filtered', reason: 'source filter: status = 95' },
      { outcome: 'filtered', reason: 'source filter: status = 95' },
    ]);
  });

  it('should withdraw with an empty document when the cancelled version cannot be mapped any more', async () => {
    // Arrange: its sales order is gone from K3Cloud (a lookup miss the shipped version would have failed on)
    const cancelled = version(SHIPPED, { status: 5, src_trade_no: 'T404' });

    // Act
    const [outcome] = await run([cancelled]);

    // Assert
    const [w] = documentsOf(outcome);
    expect(w?.document).toEqual({});
    expect(w?.billNo).toBe(SHIPPED.payload['order_no']);
    expect(w?.withdrawn?.reason).toBe('source filter: status = 95 (is 5)');
  });

  it('should drop a record that has no document key (it could never have been written)', async () => {
    // Act
    const [outcome] = await run([
      version(SHIPPED, { status: 5, order_no: '' }),
    ]);

    // Assert
    expect(outcome).toEqual({
      outcome: 'filtered',
      reason: 'source filter: status = 95',
    });
  });

  it('should withdraw every record failing the filters when the plan names no exit condition (the default)', async () => {
    // Act
    const [outcome] = await run(
      [version(SHIPPED, { status: 55 })],
      withExit(undefined),
    );

    // Assert
    const [w] = documentsOf(outcome);
    expect(w?.withdrawn?.reason).toBe('source filter: status = 95 (is 55)');
  });

  it('should only drop records failing the filters when the plan says drop', async () => {
    // Act
    const [outcome] = await run(
      [version(SHIPPED, { status: 5 })],
      withExit({ action: 'drop' }),
    );

    // Assert
    expect(outcome).toEqual({
      outcome: 'filtered',
      reason: 'source filter: status = 95',
    });
  });

  it('should ask for the lookups of a withdrawal and none for a record that is only filtered', () => {
    // Arrange
    const lookups = new InMemoryLookupProvider(LOOKUPS);
    const flow = compileFlow(loadFixturePlan(FLOW), {
      lookups,
      clock: () => NOW,
    });

    // Act
    const passing = flow.lookupQueries(SHIPPED);
    const exit = flow.lookupQueries(version(SHIPPED, { status: 5 }));
    const other = flow.lookupQueries(version(SHIPPED, { status: 55 }));

    // Assert
    expect(passing.length).toBeGreaterThan(0);
    expect(exit).toEqual(passing);
    expect(other).toEqual([]);
  });
});
