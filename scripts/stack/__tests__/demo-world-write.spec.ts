import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboundDocument } from '@kingbridge/contracts';
import {
  JdyClient,
  K3CloudClient,
  K3WiseClient,
  type KingdeeWriter,
} from '@kingbridge/sink-kingdee-client';
import {
  compileFlow,
  loadPlans,
  type LookupProvider,
  type SyncPlan,
} from '@kingbridge/transform-engine';
// The demo world is checked end to end against the simulators themselves (tests may start them in-process).
import {
  startJdySimulator,
  startK3CloudSimulator,
  type K3CloudSimulator,
  startK3WiseSimulator,
  startJackyunSimulator,
  startJushuitanSimulator,
  startWdtSimulator,
  startXiaomanSimulator,
} from '@kingbridge/simulators';
import type { SourceSimulator } from '@kingbridge/simulators';
import { k3CloudMasterData } from '../demo-master-data';
import { demoLookups, publishedRecord } from './demo-lookups.util';

type SourceSim = {
  admin: {
    records(e?: string): Array<{
      id: string;
      versions: Array<{ data: Record<string, unknown> }>;
    }>;
  };
  close(): Promise<void>;
};

const SOURCES = [
  {
    flow: 'jackyun-shops-to-k3cloud-customer',
    start: startJackyunSimulator,
    entity: 'channels',
  },
  {
    flow: 'jackyun-retail-orders-to-k3cloud-outstock',
    start: startJackyunSimulator,
    entity: 'trades',
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

/** Far past every generated window, so each merge window is due. */
const LATER = Date.parse('2099-01-01T00:00:00Z');
const SAMPLE = 40;

/** The sample's outbound documents, as the transform would publish them. */
async function documentsOf(
  plan: SyncPlan,
  held: ReturnType<SourceSim['admin']['records']>,
  lookups: LookupProvider,
): Promise<{ docs: OutboundDocument[]; failures: string[] }> {
  const flow = compileFlow(plan, { lookups, clock: () => LATER });
  const docs: OutboundDocument[] = [];
  const failures: string[] = [];
  for (const h of held) {
    const raw = publishedRecord(plan, h, 'demo-world-write-test');
    await lookups.preload(flow.lookupQueries(raw));
    const out = flow.process(raw);
    if (out.outcome === 'failed')
      failures.push(
        `${h.id}: ${out.error.fieldPath ?? ''} ${out.error.message}`,
      );
    if (out.outcome === 'mapped') docs.push(...out.documents);
  }
  for (const key of flow.openWindows()) {
    const emitted = flow.emitWindow(key);
    if ('error' in emitted)
      failures.push(
        `${key}: ${emitted.error.fieldPath ?? ''} ${emitted.error.message}`,
      );
    else if ('document' in emitted) docs.push(emitted.document);
  }
  return { docs, failures };
}

describe('demo world end to end (simulator records -> plan -> sink client -> Kingdee simulator)', () => {
  let plans: Map<string, SyncPlan>;
  let k3: K3CloudSimulator;
  const writers = new Map<string, KingdeeWriter>();
  const closers: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    plans = new Map(
      (await loadPlans(join(__dirname, '../../../plans'))).map((p) => [
        p.plan.id,
        p.plan,
      ]),
    );
    k3 = await startK3CloudSimulator({ masterData: k3CloudMasterData() });
    const jdy = await startJdySimulator({});
    const wise = await startK3WiseSimulator({});
    closers.push(
      () => k3.close(),
      () => jdy.close(),
      () => wise.close(),
    );
    writers.set(
      'k3cloud',
      new K3CloudClient({
        baseUrl: k3.baseUrl,
        acctId: k3.acctId,
        userName: 'kingbridge',
        auth: { mode: 'password', password: 'Kb@2026!' },
        timeoutMs: 10_000,
      }),
    );
    writers.set(
      'jdy',
      new JdyClient({
        baseUrl: jdy.url,
        clientId: jdy.options.clientId,
        clientSecret: jdy.options.clientSecret,
        appKey: jdy.options.appKey,
        outerInstanceId: jdy.options.outerInstanceId,
        timeoutMs: 10_000,
      }),
    );
    writers.set(
      'k3wise',
      new K3WiseClient({
        baseUrl: `${wise.url}/K3API`,
        authorityCode: wise.options.authorityCode,
        timeoutMs: 10_000,
      }),
    );
  });
  afterAll(async () => {
    await Promise.all(closers.map((c) => c()));
  });

  it.each(SOURCES)(
    'should have Kingdee accept every $flow document built from simulator records',
    async (src) => {
      const sim = await (src.start as (o: object) => Promise<SourceSim>)({
        initialRecords: 200,
        historyDays: 2,
      });
      closers.push(() => sim.close());
      const plan = plans.get(src.flow) as SyncPlan;
      const { docs, failures } = await documentsOf(
        plan,
        sim.admin.records(src.entity),
        await demoLookups(plan, k3, sim as unknown as SourceSimulator),
      );
      expect(failures.slice(0, 5)).toEqual([]);
      expect(docs.length).toBeGreaterThan(0);
      const sample = docs.slice(0, SAMPLE);
      const rejected: string[] = [];
      for (const doc of sample) {
        const writer = writers.get(doc.target) as KingdeeWriter;
        const [outcome] = await writer.write({
          formId: doc.formId,
          operation: doc.operation,
          options: doc.options,
          rows: [{ billNo: doc.billNo, document: doc.document }],
        });
        if (outcome?.kind !== 'written')
          rejected.push(
            `${doc.billNo}: ${outcome?.kind === 'failed' ? outcome.error.message : 'no outcome'}`,
          );
      }
      expect(rejected.slice(0, 5)).toEqual([]);
    },
  );
});
