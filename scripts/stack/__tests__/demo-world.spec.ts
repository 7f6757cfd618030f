import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InMemoryLookupProvider,
  compileFlow,
  loadPlans,
  type SyncPlan,
} from '@kingbridge/transform-engine';
// The demo world is checked against the simulators' own generated data.
import {
  startJackyunSimulator,
  startJushuitanSimulator,
  startWdtSimulator,
  startXiaomanSimulator,
  startK3CloudSimulator,
} from '@kingbridge/simulators';
import { k3CloudMasterData, lookupTables } from '../demo-master-data';
import { demoLookups, publishedRecord } from './demo-lookups.util';
import type { SourceSimulator } from '@kingbridge/simulators';

/** Each plan's source records as the simulators hold them (latest version), by simulator entity. */
const SOURCES = [
  {
    flow: 'jackyun-retail-orders-to-k3cloud-outstock',
    start: startJackyunSimulator,
    entity: 'trades',
  },
  {
    flow: 'jackyun-shops-to-k3cloud-customer',
    start: startJackyunSimulator,
    entity: 'channels',
  },
  {
    flow: 'wdt-stockout-to-k3cloud-outstock',
    start: startWdtSimulator,
    entity: 'stockouts',
  },
  {
    flow: 'jushuitan-count-loss-to-jdy',
    start: startJushuitanSimulator,
    entity: 'counts',
  },
  {
    flow: 'xiaoman-orders-to-k3wise-so',
    start: startXiaomanSimulator,
    entity: 'orders',
  },
] as const;

describe('demo world master data', () => {
  let plans: Map<string, SyncPlan>;
  beforeAll(async () => {
    plans = new Map(
      (await loadPlans(join(__dirname, '../../../plans'))).map((p) => [
        p.plan.id,
        p.plan,
      ]),
    );
  });
  const closers: Array<() => Promise<void>> = [];
  afterAll(async () => {
    await Promise.all(closers.map((c) => c()));
  });

  it.each(SOURCES)(
    'should resolve every lookup of $flow for the records the simulator generates',
    async (src) => {
      const sim = await (
        src.start as (o: object) => Promise<{
          admin: {
            records(e?: string): Array<{
              id: string;
              versions: Array<{ data: Record<string, unknown> }>;
            }>;
          };
          close(): Promise<void>;
        }>
      )({ initialRecords: 200, historyDays: 2 });
      closers.push(() => sim.close());
      const plan = plans.get(src.flow) as SyncPlan;
      const k3 = await startK3CloudSimulator({
        masterData: k3CloudMasterData(),
      });
      closers.push(() => k3.close());
      const lookups = await demoLookups(
        plan,
        k3,
        sim as unknown as SourceSimulator,
      );
      const flow = compileFlow(plan, { lookups });
      const held = sim.admin.records(src.entity);
      expect(held.length).toBeGreaterThan(10);
      const failures: string[] = [];
      let mapped = 0;
      for (const h of held) {
        const raw = publishedRecord(plan, h, 'demo-world-test');
        await lookups.preload(flow.lookupQueries(raw));
        const out = flow.process(raw);
        if (out.outcome === 'failed')
          failures.push(
            `${h.id}: ${out.error.fieldPath ?? ''} ${out.error.message}`,
          );
        if (out.outcome === 'mapped' || out.outcome === 'merged') mapped += 1;
      }
      expect(failures.slice(0, 5)).toEqual([]);
      expect(mapped).toBeGreaterThan(0);
    },
  );

  it('should create through the shops flow (seed 002) every customer the retail flow (seed 000) refers to, with no preloaded shop customer', async () => {
    // Arrange
    const sim = await startJackyunSimulator({
      initialRecords: 200,
      historyDays: 2,
    });
    closers.push(() => sim.close());
    const lookups = new InMemoryLookupProvider(lookupTables());
    const documentsOf = (flowId: string, entity: string) => {
      const plan = plans.get(flowId) as SyncPlan;
      const flow = compileFlow(plan, { lookups });
      const docs: Array<Record<string, unknown>> = [];
      for (const h of sim.admin.records(entity)) {
        const out = flow.process(publishedRecord(plan, h, 'demo-world-test'));
        if (out.outcome === 'mapped')
          docs.push(...out.documents.map((d) => d.document));
      }
      for (const key of flow.openWindows()) {
        const emitted = flow.emitWindow(key);
        if ('document' in emitted) docs.push(emitted.document.document);
      }
      return docs;
    };

    // Act
    const created = new Set(
      documentsOf('jackyun-shops-to-k3cloud-customer', 'channels').map((d) =>
        String(d['FNumber']),
      ),
    );
    const referred = new Set(
      documentsOf('jackyun-retail-orders-to-k3cloud-outstock', 'trades').map(
        (d) => (d['FCustomerID'] as { FNumber: string }).FNumber,
      ),
    );

    // Assert
    expect(referred.size).toBeGreaterThan(1);
    expect([...referred].filter((c) => !created.has(c))).toEqual([]);
    const preloaded = new Set(
      (k3CloudMasterData()['BD_Customer'] ?? []).map((c) => c.number),
    );
    expect([...referred].filter((c) => preloaded.has(c))).toEqual([]);
  });
});
