import type { SourceEntity } from '@kingbridge/contracts';
import type { RunOutcome, SourceStreamInput } from '@kingbridge/source-runtime';
import { afterAll, describe, expect, it } from 'vitest';
import {
  startJushuitanSimulator,
  startWdtSimulator,
  startXiaomanSimulator,
} from '@kingbridge/simulators';
import {
  connectorEnv,
  deleteStreamState,
  InProcessConnector,
  latestBySourceId,
  readRawRecords,
  TEST_CREDENTIALS,
  type TestPlatform,
  uniqueStreamId,
} from './source-connector.harness';

/** 10% injected faults: platform error envelopes, HTTP 5xx, connection resets; plus duplicates across pages. */
const FAULTS = {
  seed: 11,
  errorRate: 0.04,
  http5xxRate: 0.03,
  resetRate: 0.03,
  duplicateRate: 0.05,
};

interface Held {
  id: string;
  versions: { data: Record<string, unknown> }[];
}

interface Case {
  platform: TestPlatform;
  entity: SourceEntity;
  params?: SourceStreamInput['params'];
  pageSize: number;
  rateLimit: string;
  start(): Promise<{
    url: string;
    close(): Promise<void>;
    admin: { records(): unknown };
  }>;
  /** What the connector must publish for each held record (undefined = not expected). */
  expected(data: Record<string, unknown>): Record<string, unknown> | undefined;
}

const common = {
  initialRecords: 160,
  historyDays: 7,
  adminEnabled: true,
  faults: FAULTS,
};

const CASES: Case[] = [
  {
    platform: 'wdt',
    entity: 'stockout-order',
    params: { is_by_modified: 1, status: '5,55,95,105,110,113' },
    pageSize: 30,
    rateLimit: '10/1s',
    start: () => {
      const c = TEST_CREDENTIALS.wdt;
      return startWdtSimulator({
        ...common,
        sid: c.WDT_SID,
        appkey: c.WDT_APP_KEY,
        secret: c.WDT_APP_SECRET,
        rateLimit: { perSecond: 5 },
      });
    },
    expected: (d) => d,
  },
  {
    platform: 'jushuitan',
    entity: 'inventory-count',
    pageSize: 20,
    // Above the documented 5/s: the simulator answers code 199 and the connector adapts.
    rateLimit: '10/1s,100/60s',
    start: () => {
      const c = TEST_CREDENTIALS.jushuitan;
      return startJushuitanSimulator({
        ...common,
        appKey: c.JUSHUITAN_APP_KEY,
        appSecret: c.JUSHUITAN_APP_SECRET,
        accessToken: c.JUSHUITAN_ACCESS_TOKEN,
      });
    },
    expected: (d) => d,
  },
  {
    platform: 'xiaoman',
    entity: 'sales-order',
    pageSize: 30,
    rateLimit: '20/1s',
    start: () => {
      const c = TEST_CREDENTIALS.xiaoman;
      // Each order costs one list share plus one order/info request: keep the week small.
      return startXiaomanSimulator({
        ...common,
        initialRecords: 50,
        clientId: c.XIAOMAN_CLIENT_ID,
        clientSecret: c.XIAOMAN_CLIENT_SECRET,
        rateLimit: { perSecond: 12 },
      });
    },
    expected: ({ delete_time, ...visible }) =>
      delete_time === '' ? visible : undefined,
  },
];

describe('full sync of a simulated week per platform (throttling and 10% faults on)', () => {
  const cleanup: (() => Promise<void>)[] = [];
  const streamIds: string[] = [];

  afterAll(async () => {
    for (const fn of cleanup.reverse()) await fn();
    await deleteStreamState(streamIds);
  });

  for (const c of CASES) {
    it(`should publish every ${c.platform} record exactly as the simulator holds it`, async () => {
      const sim = await c.start();
      cleanup.push(() => sim.close());
      const streamId = uniqueStreamId(c.platform, c.entity);
      streamIds.push(streamId);
      const startFrom = new Date(Date.now() - 8 * 86_400_000).toISOString();
      const rateVar = `${c.platform.toUpperCase()}_RATE_LIMIT`;
      const connector = await InProcessConnector.start(
        connectorEnv(
          c.platform,
          sim.url,
          [
            {
              id: streamId,
              platform: c.platform,
              entity: c.entity,
              params: c.params ?? {},
              pageSize: c.pageSize,
              startFrom,
            },
          ],
          {
            [rateVar]: c.rateLimit,
          },
        ),
      );
      cleanup.push(() => connector.close());

      let published = 0;
      let outcome: RunOutcome | undefined;
      for (
        let attempt = 0;
        attempt < 6 && outcome?.status !== 'ok';
        attempt++
      ) {
        outcome = await connector.runner().runIncremental();
        if (outcome.status === 'ok') published += outcome.published;
      }
      expect(outcome?.status).toBe('ok');
      // Windows that failed and were retried published what they had read: count what Kafka holds.
      const runsPublished = await connector.metric(
        'kingbridge_source_records_published_total',
        { stream: streamId },
      );
      expect(runsPublished).toBeGreaterThanOrEqual(published);

      const expected = new Map<string, Record<string, unknown>>();
      for (const h of sim.admin.records() as Held[]) {
        const e = c.expected(h.versions.at(-1)!.data);
        if (e) expected.set(h.id, e);
      }
      const latest = latestBySourceId(
        await readRawRecords(connector.topicOf(), runsPublished),
      );
      expect(latest.size).toBe(expected.size);
      for (const [id, payload] of expected)
        expect(latest.get(id)?.payload, `${c.platform} record ${id}`).toEqual(
          payload,
        );
      const stats = (
        sim.admin as unknown as {
          stats(): { byOutcome: Record<string, number> };
        }
      ).stats();
      // Every injected fault and throttle answer was retried, none skipped.
      expect(
        await connector.metric('kingbridge_source_retries_total'),
      ).toBeGreaterThanOrEqual(
        stats.byOutcome['fault']! > 0 || stats.byOutcome['throttled']! > 0
          ? 1
          : 0,
      );
    });
  }
});
