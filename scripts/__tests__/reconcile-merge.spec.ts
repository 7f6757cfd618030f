import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SimulatorSourceInventory,
  buildExpectedDocuments,
  type ExpectedSet,
  type SourceRecord,
} from '@kingbridge/reconcile';
import {
  InMemoryLookupProvider,
  loadPlans,
  type SyncPlan,
} from '@kingbridge/transform-engine';
// Expected merge groups are built from the jackyun simulator's own records.
import { startJackyunSimulator } from '@kingbridge/simulators';
import type { SourceSimulator } from '@kingbridge/simulators';
import { lookupTables } from '../stack/demo-master-data';

const FLOW = 'jackyun-retail-orders-to-k3cloud-outstock';

const summary = (set: ExpectedSet) =>
  set.documents
    .map((d) => ({
      billNo: d.billNo,
      day: d.day,
      totals: d.totals,
      sourceIds: [...d.sourceIds].sort(),
    }))
    .sort((a, b) => a.billNo.localeCompare(b.billNo));

describe('expected merge groups', () => {
  let sim: SourceSimulator;
  let plan: SyncPlan;
  let records: SourceRecord[];

  beforeAll(async () => {
    plan = (await loadPlans(join(__dirname, '../../plans')))
      .map((p) => p.plan)
      .find((p) => p.id === FLOW)!;
    sim = await startJackyunSimulator({
      port: 0,
      adminEnabled: true,
      initialRecords: 60,
      historyDays: 3,
    });
    records = await new SimulatorSourceInventory(sim.url).list('trades', {
      fromMs: 0,
      toMs: Date.parse('2100-01-01T00:00:00Z'),
    });
  });

  afterAll(async () => {
    await sim?.close();
  });

  it('should give the same groups and sums whatever order the records come in', async () => {
    const inOrder = await buildExpectedDocuments(
      plan,
      records,
      new InMemoryLookupProvider(lookupTables()),
    );
    const reversed = await buildExpectedDocuments(
      plan,
      [...records].reverse(),
      new InMemoryLookupProvider(lookupTables()),
    );
    expect(inOrder.documents.length).toBeGreaterThan(1);
    expect(inOrder.documents.every((d) => d.group !== undefined)).toBe(true);
    expect(summary(reversed)).toEqual(summary(inOrder));
  });

  it('should put every mapped record in exactly one group dated by its window', async () => {
    const set = await buildExpectedDocuments(
      plan,
      records,
      new InMemoryLookupProvider(lookupTables()),
    );
    const grouped = set.documents.flatMap((d) => d.sourceIds);
    expect(new Set(grouped).size).toBe(grouped.length);
    expect(grouped.length + set.filtered + set.failures.length).toBe(
      records.length,
    );
    for (const d of set.documents)
      expect(d.billNo).toContain(d.day.replaceAll('-', ''));
  });
});
