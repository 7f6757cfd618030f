import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil } from '@kingbridge/testing';
import { startTestJackyun, type JackyunSim } from './jackyun-fixtures';
import {
  connectorEnv,
  deleteStreamState,
  InProcessConnector,
  latestBySourceId,
  readRawRecords,
  uniqueStreamId,
} from './source-connector.harness';

type Channel = Record<string, unknown> & {
  channelId: bigint | string;
  channelCode: string;
  companyCode: string;
};

const beijing = (ms: number): string =>
  new Date(ms + 8 * 3_600_000).toISOString().replace('T', ' ').slice(0, 19);

describe('first sync of master data (jackyun shops): a full scan, then incremental', () => {
  let sim: JackyunSim;
  let connector: InProcessConnector;
  const streamId = uniqueStreamId('jackyun', 'sales-channel');
  const monthsAgo = Date.now() - 200 * 86_400_000;

  beforeAll(async () => {
    sim = await startTestJackyun({ channelCount: 12, historyDays: 2 });
    // Three DSGL shops nobody touched for months: far before any lookback.
    const template = (
      sim.admin.records('channels') as Array<{
        versions: Array<{ data: Channel }>;
      }>
    )[0]!.versions.at(-1)!.data;
    for (const n of [1, 2, 3]) {
      sim.admin.insert('channels', {
        ...template,
        channelId: `17999000000000000${n}`,
        channelCode: `OLD-00${n}`,
        channelName: `老店${n}`,
        companyCode: 'DSGL',
        isDelete: 0,
        gmtCreate: beijing(monthsAgo),
        gmtModified: beijing(monthsAgo + n * 60_000),
      });
    }
    connector = await InProcessConnector.start(
      connectorEnv('jackyun', sim.url, [
        {
          id: streamId,
          platform: 'jackyun',
          entity: 'sales-channel',
          params: { companyCode: 'DSGL' },
        },
      ]),
    );
  });

  afterAll(async () => {
    await connector?.close();
    await sim?.close();
    await deleteStreamState([streamId]);
  });

  it('should publish every DSGL shop, those not modified for months included, then only what changes', async () => {
    const dsgl = (
      sim.admin.records('channels') as Array<{
        id: string;
        versions: Array<{ data: Channel }>;
      }>
    ).filter((c) => c.versions.at(-1)!.data.companyCode === 'DSGL');
    expect(dsgl.length).toBeGreaterThan(3);

    const first = await connector.runner().runIncremental();
    expect(first).toMatchObject({ status: 'ok' });
    const published = first.status === 'ok' ? first.published : 0;
    const latest = latestBySourceId(
      await readRawRecords(connector.topicOf(), published),
    );
    // erp.sales.get has no company filter: the transform drops the other companies' shops.
    expect(dsgl.map((c) => c.id).filter((id) => !latest.has(id))).toEqual([]);
    for (const n of [1, 2, 3])
      expect(latest.has(`17999000000000000${n}`), `OLD-00${n}`).toBe(true);

    // Incremental from now on: one shop modified is the only one published.
    const changed = dsgl[0]!.id;
    sim.admin.modify('channels', changed);
    const modifiedAt = Date.now();
    // Platform windows are whole seconds: the next run reaches past the modification's second.
    await pollUntil(
      () => Date.now() >= Math.ceil(modifiedAt / 1000) * 1000 + 1000,
      {
        timeoutMs: 5_000,
        intervalMs: 50,
      },
    );
    const second = await connector.runner().runIncremental();
    expect(second).toMatchObject({ status: 'ok', published: 1 });
    const all = await readRawRecords(connector.topicOf(), published + 1);
    expect(all.filter((r) => r.sourceId === changed)).toHaveLength(2);
  });
});
