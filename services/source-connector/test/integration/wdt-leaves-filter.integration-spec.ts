import { resolve } from 'node:path';
import {
  outboundDocumentSchema,
  outboundTopic,
  type OutboundDocument,
} from '@kingbridge/contracts';
import { startWdtSimulator } from '@kingbridge/simulators';
import {
  cleanupFlow,
  pollUntil,
  seedLookups,
  ServiceProcess,
  testFlow,
  TopicCollector,
  transformEnv,
  uniqueName,
  writePlansDir,
  type TestFlow,
} from '@kingbridge/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlanStreams } from '../../src/streams/plan-streams.loader';
import {
  connectorEnv,
  deleteStreamState,
  InProcessConnector,
  TEST_CREDENTIALS,
} from './source-connector.harness';

const PLANS = resolve(__dirname, '../../../../plans');

type WdtSim = Awaited<ReturnType<typeof startWdtSimulator>>;
type Stockout = Record<string, unknown> & {
  details_list: Array<Record<string, unknown>>;
};

/** Beijing wall time `yyyy-MM-dd HH:mm:ss` (what WDT's time fields carry). */
function beijing(ms: number): string {
  return new Date(ms + 8 * 3_600_000)
    .toISOString()
    .slice(0, 19)
    .replace('T', ' ');
}

function latestStockouts(sim: WdtSim): Map<string, Stockout> {
  const held = sim.admin.records('stockouts') as {
    id: string;
    versions: { data: Stockout }[];
  }[];
  return new Map(held.map((h) => [h.id, h.versions.at(-1)!.data]));
}

/** The lookup rows the plan's mapping reads for `stockouts` (sales orgs, customers, sales order lines). */
function lookupsFor(flow: TestFlow, stockouts: Iterable<Stockout>) {
  const orgs = new Map<string, Record<string, unknown>>();
  const customers = new Map<string, Record<string, unknown>>();
  const lines = new Map<string, Record<string, unknown>>();
  for (const so of stockouts) {
    orgs.set(`${String(so['shop_no'])}|${String(so['fenxiao_nick'])}`, {
      shop_no: so['shop_no'],
      fenxiao_nick: so['fenxiao_nick'],
      sale_org_number: 'ORG-IT',
    });
    customers.set(String(so['nick_name']), {
      number: so['nick_name'],
      seller_number: 'EMP-IT',
    });
    for (const d of so.details_list)
      lines.set(`${String(so['src_trade_no'])}|${String(d['goods_no'])}`, {
        bill_no: so['src_trade_no'],
        material_number: d['goods_no'],
        fid: 900000 + lines.size,
        entry_id: 910000 + lines.size,
      });
  }
  return {
    [flow.table('sale_orgs')]: [...orgs.values()],
    [flow.table('k3_customers')]: [...customers.values()],
    [flow.table('k3_sale_order_entries')]: [...lines.values()],
  };
}

/*
 * Seed 001's flow syncs shipped stock-outs (status 95), queried with status=95 by consign time. A stock-out
 * cancelled after it was written (status 5) is never returned by that query again: the plan's
 * source.filterExit.query fetches it with a second query on the same window (status=5, by modified time) and the
 * transform turns it into a withdrawal of the written document. Connector (in process, the plan's own stream)
 * -> raw topic -> transform (its own process, the plan copied under a unique id) -> outbound topic.
 */
describe('wdt stock-outs: one cancelled after it was written is fetched and withdrawn', () => {
  let sim: WdtSim;
  let connector: InProcessConnector;
  let transform: ServiceProcess | undefined;
  let outbound: TopicCollector<OutboundDocument>;
  let flow: TestFlow;
  const startFrom = Date.now() - 9 * 86_400_000;

  beforeAll(async () => {
    const c = TEST_CREDENTIALS.wdt;
    sim = await startWdtSimulator({
      initialRecords: 60,
      sid: c.WDT_SID,
      appkey: c.WDT_APP_KEY,
      secret: c.WDT_APP_SECRET,
      rateLimit: { perSecond: 0 },
      arrivalsPerMinute: 0,
      modificationsPerMinute: 0,
    });
    flow = await testFlow(
      'wdt-stockout-to-k3cloud-outstock.yaml',
      uniqueName('it')
        .replace(/[^a-z0-9]/gi, '')
        .toLowerCase(),
    );
    // The lookups are loaded tables here (no K3Cloud in this test): the plan's K3Cloud tables are dropped.
    flow = { ...flow, plan: { ...flow.plan, lookups: {} } };
    const [planStream] = (await loadPlanStreams(PLANS, 'wdt')).filter(
      (s) => s.id === 'wdt.stockout-order.shipped',
    );
    if (!planStream) throw new Error('no wdt.stockout-order.shipped in plans/');
    expect(planStream.exitQueries).toEqual([{ status: '5' }]);
    connector = await InProcessConnector.start(
      connectorEnv(
        'wdt',
        sim.url,
        [
          {
            ...planStream,
            id: flow.stream,
            startFrom: new Date(startFrom).toISOString(),
          },
        ],
        // The transform reads the plan's raw topic: no test prefix (the unique stream id keeps records apart).
        { RAW_TOPIC_PREFIX: '', WDT_RATE_LIMIT: '200/1s' },
      ),
    );
    outbound = await new TopicCollector(
      outboundTopic('k3cloud'),
      outboundDocumentSchema,
      (d) => d.flow === flow.id,
    ).start();
  });

  afterAll(async () => {
    await transform?.stop();
    await outbound?.stop();
    await connector?.close();
    await sim?.close();
    if (flow) {
      await deleteStreamState([flow.stream]);
      await cleanupFlow(flow);
    }
  });

  it('should only withdraw a stock-out cancelled before it shipped (never a document of its own)', async () => {
    // Arrange: the simulated week holds stock-outs cancelled before shipping (status 5, no consign time)
    const cancelled = [...latestStockouts(sim).values()]
      .filter(
        (so) =>
          so['status'] === 5 &&
          Date.parse(`${String(so['modified']).replace(' ', 'T')}+08:00`) >=
            startFrom,
      )
      .map((so) => `${flow.id}:${String(so['stockout_id'])}`);
    expect(cancelled.length).toBeGreaterThan(0);

    // Act: the first pull (main query, then the exit query) and the transform
    const first = await connector.runner().runIncremental();
    expect(first.status).toBe('ok');
    await seedLookups(lookupsFor(flow, latestStockouts(sim).values()));
    transform = await new ServiceProcess(
      'transform',
      transformEnv(await writePlansDir([flow]), uniqueName('it-transform')),
    ).start();
    const of = (key: string) =>
      outbound.items.filter((i) => i.value.documentKey === key);
    await pollUntil(() => cancelled.every((key) => of(key).length > 0), {
      timeoutMs: 60_000,
      description: `a document for each of ${cancelled.join(', ')}`,
    });

    // Assert: withdrawals only (the sink ignores them: it never wrote these documents)
    for (const key of cancelled)
      expect(of(key).map((i) => i.value.withdrawn?.reason)).toEqual([
        'source filter: status = 95 (is 5)',
      ]);
  });

  it('should send the cancelled version as a withdrawal under the document key the written one had', async () => {
    // Arrange: the first pull (previous test) published the shipped stock-outs; the transform writes them
    const runner = connector.runner();
    await pollUntil(() => outbound.items.some((i) => !i.value.withdrawn), {
      timeoutMs: 60_000,
      description: `a document of ${flow.id} written`,
    });
    const written = outbound.items.find((i) => !i.value.withdrawn)?.value;
    const key = written?.documentKey ?? '';
    const sourceId = written?.lineage.sourceIds[0] ?? '';
    const stockout = latestStockouts(sim).get(sourceId);
    expect(stockout?.['status']).toBe(95);
    expect(key).toBe(`${flow.id}:${sourceId}`);

    // Act: the stock-out is cancelled after shipping (a new version, modified now), then pulled again
    sim.admin.insert('stockouts', {
      ...stockout,
      status: 5,
      trade_status: 5,
      modified: beijing(Date.now()),
    });
    // Until the pull's window has passed the cancellation's modified second (the connector holds back the current
    // second).
    await pollUntil(
      async () => {
        const next = await runner.runIncremental();
        expect(next.status).toBe('ok');
        return outbound.items.some(
          (i) => i.value.documentKey === key && i.value.withdrawn,
        );
      },
      {
        timeoutMs: 60_000,
        intervalMs: 500,
        description: `withdrawal of ${key}`,
      },
    );

    // Assert
    const versions = outbound.items
      .filter((i) => i.value.documentKey === key)
      .map((i) => i.value);
    const withdrawal = versions.find((d) => d.withdrawn);
    expect(withdrawal?.withdrawn).toEqual({
      reason: 'source filter: status = 95 (is 5)',
    });
    expect(withdrawal?.billNo).toBe(written?.billNo);
    expect(withdrawal?.billNo).toBe(stockout?.['order_no']);
    expect(withdrawal?.document).toEqual(written?.document);
    expect(withdrawal?.lineage.sourceIds).toEqual([sourceId]);
    // Keyed by the document key, like the written version (same partition, after it).
    const items = outbound.items.filter((i) => i.value.documentKey === key);
    expect(items.map((i) => i.key)).toEqual(items.map(() => key));
    expect(items.at(-1)?.value.withdrawn).toBeDefined();
  });
});
