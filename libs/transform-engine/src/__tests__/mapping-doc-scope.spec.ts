import { contentHash } from '@kingbridge/pipeline-core';
import { describe, expect, it } from 'vitest';
import { compileFlow } from '../flow/flow-transformer';
import { InMemoryLookupProvider } from '../lookup/lookup-provider';
import type { SyncPlan } from '../plan/sync-plan.schema';
import { loadFixtureData, loadFixturePlan } from './fixture-runner';

const FLOW = 'wdt-stockout-to-k3cloud-outstock';
const { input: INPUT, tables: LOOKUPS } = loadFixtureData(FLOW);
const SHIPPED = INPUT[0] as (typeof INPUT)[number];

/** The shipped WDT plan with fields that read the document's own bill number and key. */
function planReadingDoc(): SyncPlan {
  const plan = loadFixturePlan(FLOW);
  return {
    ...plan,
    mapping: [
      ...plan.mapping,
      { field: 'F_Bill', value: '{_doc.billNo}' },
      { field: 'F_Key', value: '_function {_doc.documentKey}' },
      { field: 'F_Text', value: '{_doc.billNo}/{order_no}' },
      { field: 'F_Whole', value: '{_doc}' },
    ],
  };
}

describe('mapping: {_doc.*} reads the document, not the record', () => {
  it("should read the bill number and key of the document, over a record's own _doc", async () => {
    // Arrange: a payload with a `_doc` of its own, which the document's must hide.
    const payload = { ...SHIPPED.payload, _doc: { billNo: 'from-payload' } };
    const record = { ...SHIPPED, payload, contentHash: contentHash(payload) };
    const lookups = new InMemoryLookupProvider(LOOKUPS);
    const flow = compileFlow(planReadingDoc(), {
      lookups,
      clock: () => Date.parse('2026-05-02T02:00:00.000Z'),
    });
    await lookups.preload(flow.lookupQueries(record));

    // Act
    const outcome = flow.process(record);

    // Assert
    if (outcome.outcome !== 'mapped') throw new Error(JSON.stringify(outcome));
    const [doc] = outcome.documents;
    const billNo = String(SHIPPED.payload['order_no']);
    expect(doc?.billNo).toBe(billNo);
    expect(doc?.document).toMatchObject({
      F_Bill: billNo,
      F_Key: doc?.documentKey,
      F_Text: `${billNo}/${billNo}`,
      F_Whole: { billNo, documentKey: doc?.documentKey },
    });
  });
});
