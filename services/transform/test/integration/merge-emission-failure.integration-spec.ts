import { loadConfig } from '@kingbridge/config';
import {
  deadLetterSchema,
  dlqTopic,
  outboundDocumentSchema,
  outboundTopic,
  type DeadLetter,
  type OutboundDocument,
} from '@kingbridge/contracts';
import {
  createKafkaConnection,
  replayTopicDeadLetters,
} from '@kingbridge/kafka';
import { createLogger } from '@kingbridge/observability';
import { DATA_SOURCE } from '@kingbridge/persistence';
import { pollUntil, TEST_KAFKA_BROKERS, uniqueName } from '@kingbridge/testing';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule } from '../../src/app.module';
import { transformConfigSchema } from '../../src/transform.config';
import {
  TEST_DATABASE_URL,
  TopicCollector,
  cleanupFlow,
  publishToPartition,
  rawRecord,
  rawTopicOf,
  seedLookups,
  testFlow,
  writePlansDir,
  type TestFlow,
} from './transform.harness';

function order(
  flow: TestFlow,
  no: string,
  shop: string,
  consignTime: string,
): ReturnType<typeof rawRecord> {
  return rawRecord(flow, no, {
    TradeNo: no,
    TradeStatus: 9090,
    TradeType: 1,
    Shopcode: shop,
    WarehouseCode: 'WH-9',
    ConsignTime: consignTime,
    GoodsDetail: [
      { GoodsNo: 'G1', SellCount: 1, ShareFavourableAfterFee: '5.00' },
    ],
  });
}

describe('transform: a merged window that cannot be mapped at emission', () => {
  let app: INestApplication;
  let flow: TestFlow;
  let outbound: TopicCollector<OutboundDocument>;
  let deadLetters: TopicCollector<DeadLetter>;
  const orgs = (shops: readonly string[]): Record<string, unknown>[] =>
    shops.map((s, i) => ({
      shop_code: s,
      sale_org_number: `10${i}`,
      stock_org_number: `20${i}`,
    }));

  beforeAll(async () => {
    flow = await testFlow(
      'jackyun-retail-orders-to-k3cloud-outstock.yaml',
      uniqueName('it').replace('-', ''),
    );
    await seedLookups({ [flow.table('orgs')]: orgs(['SHOP-A', 'SHOP-B']) });
    const config = loadConfig(transformConfigSchema, {
      DATABASE_URL: TEST_DATABASE_URL,
      KAFKA_BROKERS: TEST_KAFKA_BROKERS.join(','),
      HTTP_PORT: '0',
      PLANS_DIR: await writePlansDir([flow]),
      TRANSFORM_GROUP_ID: uniqueName('it-transform'),
      LOG_LEVEL: 'error',
      WINDOW_TICK_MS: '200',
      // Re-read master data on every use, so a removed org is seen at emission.
      LOOKUP_CACHE_TTL_MS: '0',
      MERGE_GRACE: '0s',
      MERGE_IDLE_TIMEOUT: '1h',
    });
    outbound = await new TopicCollector(
      outboundTopic('k3cloud'),
      outboundDocumentSchema,
      (d) => d.flow === flow.id,
    ).start();
    deadLetters = await new TopicCollector(
      dlqTopic(rawTopicOf(flow)),
      deadLetterSchema,
      (d) => d.flow === flow.id,
    ).start();
    app = await NestFactory.create(
      AppModule.forRoot(
        config,
        createLogger('transform', process.env['TEST_LOG_LEVEL'] ?? 'error'),
      ),
      { logger: false },
    );
    await app.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    await outbound?.stop();
    await deadLetters?.stop();
    if (flow) await cleanupFlow(flow);
  });

  it('should dead-letter the window with flow, field path and its records while other windows are emitted', async () => {
    const a = order(flow, `${flow.id}-a`, 'SHOP-A', '2026-04-01 10:00:00');
    const b = order(flow, `${flow.id}-b`, 'SHOP-B', '2026-04-01 11:00:00');
    // One raw partition: its event time is the flow's watermark (several partitions: their minimum).
    await publishToPartition(rawTopicOf(flow), 0, [a, b]);
    await pollUntil(
      async () => {
        const db = app.get<DataSource>(DATA_SOURCE);
        const rows = (await db.query(
          `SELECT COALESCE(sum(record_count), 0)::int AS n FROM transform.merge_window WHERE flow = $1 AND status = 'open'`,
          [flow.id],
        )) as Array<{ n: number }>;
        return rows[0]?.n === 2;
      },
      { timeoutMs: 20_000, description: 'both records merged' },
    );
    // SHOP-A's org disappears from master data after its record was merged.
    await seedLookups({ [flow.table('orgs')]: orgs(['SHOP-B']) });
    await publishToPartition(rawTopicOf(flow), 0, [
      order(flow, `${flow.id}-close`, 'SHOP-B', '2026-04-02 10:00:00'),
    ]);

    const [letter] = await deadLetters.waitFor(1);
    const docs = await outbound.waitFor(1);
    expect(docs.map((d) => d.billNo)).toEqual(['JKY20260401-SHOP-B-WH-9']);
    expect(letter).toMatchObject({
      service: 'transform',
      flow: flow.id,
      originalTopic: rawTopicOf(flow),
      errorClass: 'lookup',
      fieldPath: 'FSaleOrgId',
    });
    expect(letter?.errorMessage).toContain('SHOP-A');
    const body = JSON.parse(
      Buffer.from(letter?.value ?? '', 'base64').toString('utf8'),
    ) as { windowKey: string; sourceIds: string[] };
    expect(body).toEqual({
      kind: 'window-replay',
      flow: flow.id,
      windowKey: `${flow.id}:SHOP-A|WH-9:2026-04-01`,
      sourceIds: [a.sourceId],
    });

    // The window kept its records; a record arriving meanwhile joins it (it was never written).
    const late = order(flow, `${flow.id}-a2`, 'SHOP-A', '2026-04-01 12:00:00');
    await publishToPartition(rawTopicOf(flow), 0, [late]);
    await pollUntil(
      async () => {
        const db = app.get<DataSource>(DATA_SOURCE);
        const rows = (await db.query(
          `SELECT record_count FROM transform.merge_window WHERE flow = $1 AND window_key = $2 AND status = 'dead_lettered'`,
          [flow.id, body.windowKey],
        )) as Array<{ record_count: number }>;
        return rows[0]?.record_count === 2;
      },
      {
        timeoutMs: 20_000,
        description: 'late record kept in the failed window',
      },
    );

    // Fix the master data, replay the letter as an operator would: the window is written once, whole.
    await seedLookups({ [flow.table('orgs')]: orgs(['SHOP-A', 'SHOP-B']) });
    const connection = createKafkaConnection({
      brokers: TEST_KAFKA_BROKERS,
      clientId: 'it-replay',
      logger: createLogger('it-replay', 'error'),
    });
    const replayed = await replayTopicDeadLetters(
      connection,
      dlqTopic(rawTopicOf(flow)),
      { flow: flow.id },
    );
    expect(replayed).toHaveLength(1);
    const [, shopA] = await outbound.waitFor(2);
    expect(shopA?.billNo).toBe('JKY20260401-SHOP-A-WH-9');
    expect([...(shopA?.lineage.sourceIds ?? [])].sort()).toEqual(
      [a.sourceId, late.sourceId].sort(),
    );
    expect(shopA?.correctionOf).toBeUndefined();
  });
});
