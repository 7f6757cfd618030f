import { loadConfig } from '@kingbridge/config';
import {
  outboundDocumentSchema,
  statusEventSchema,
  type OutboundDocument,
} from '@kingbridge/contracts';
import {
  createProducer,
  ensureTopics,
  type KafkaProducer,
} from '@kingbridge/kafka';
import { createLogger } from '@kingbridge/observability';
import {
  testKafkaConnection,
  TEST_KAFKA_BROKERS,
  uniqueName,
  waitForMessages,
} from '@kingbridge/testing';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Tests may start the simulators; production code never imports them.
import {
  startJdySimulator,
  type JdySimulator,
  startK3WiseSimulator,
  type K3WiseSimulator,
} from '@kingbridge/simulators';
import { sinkKingdeeConfigSchema } from '../../src/sink-kingdee.config';
import { SinkRuntime, sinkTopics } from '../../src/sink/sink-runtime';
import { TEST_DATABASE_URL } from './sink.harness';

function base(
  flow: string,
  n: number,
  target: 'jdy' | 'k3wise',
  formId: string,
  operation: string,
  document: Record<string, unknown>,
): OutboundDocument {
  return outboundDocumentSchema.parse({
    schemaVersion: 1,
    flow,
    documentKey: `${flow}:${n}`,
    target,
    formId,
    operation,
    billNo: `${flow}-${n}`.toUpperCase(),
    batchRows: 1,
    document,
    lineage: {
      platform: 'jushuitan',
      stream: 'it',
      sourceIds: [String(n)],
      firstFetchedAt: new Date().toISOString(),
      rawOffsets: [],
    },
    createdAt: new Date().toISOString(),
  });
}

describe('sink-kingdee writes to JDY and K3 WISE', () => {
  let jdy: JdySimulator;
  let wise: K3WiseSimulator;
  let runtime: SinkRuntime;
  let producer: KafkaProducer;
  let topics: ReturnType<typeof sinkTopics>;
  const flow = uniqueName('it-flow');

  beforeAll(async () => {
    jdy = await startJdySimulator({ admin: true });
    wise = await startK3WiseSimulator({ admin: true });
    const config = loadConfig(sinkKingdeeConfigSchema, {
      SINK_TARGETS: 'jdy,k3wise',
      TOPIC_PREFIX: `${uniqueName('it-sink')}.`,
      SINK_GROUP_ID: uniqueName('it-sink-group'),
      JDY_BASE_URL: jdy.url,
      JDY_CLIENT_ID: jdy.options.clientId,
      JDY_CLIENT_SECRET: jdy.options.clientSecret,
      JDY_APP_KEY: jdy.options.appKey,
      JDY_OUTER_INSTANCE_ID: jdy.options.outerInstanceId,
      K3WISE_BASE_URL: `${wise.url}/K3API`,
      K3WISE_AUTHORITY_CODE: wise.options.authorityCode,
      DATABASE_URL: TEST_DATABASE_URL,
      KAFKA_BROKERS: TEST_KAFKA_BROKERS.join(','),
      SINK_LINGER_MS: '20',
      SINK_RETRY_INITIAL_MS: '100',
      LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'error',
    });
    topics = sinkTopics(config);
    await ensureTopics(testKafkaConnection(), [
      ...[...topics.outbound.values()].flatMap((name) => [
        { name, partitions: 2 },
        { name: `${name}.dlq`, partitions: 1 },
      ]),
      { name: topics.status, partitions: 1 },
    ]);
    runtime = new SinkRuntime({
      config,
      logger: createLogger('sink-kingdee-it', config.LOG_LEVEL),
      registry: new Registry(),
    });
    await runtime.start();
    producer = createProducer(testKafkaConnection());
    await producer.connect();
  });
  afterAll(async () => {
    await runtime?.stop();
    await producer?.disconnect();
    await jdy?.close();
    await wise?.close();
  });

  it('should write JDY and K3 WISE documents once and dead-letter the unknown material with the JDY message', async () => {
    const loss = (n: number, material: string): OutboundDocument =>
      base(flow, n, 'jdy', '/jdy/v2/scm/inv_check_loss_bill', 'save', {
        bill_date: '2026-05-02',
        operation_key: 'audit',
        material_entity: [
          {
            material_id: material,
            stock_id: '1560000000000000001',
            unit_id: '1540000000000000001',
            qty: 1,
          },
        ],
      });
    const order = (n: number): OutboundDocument =>
      base(flow, n, 'k3wise', '/SO/Save', 'Save', {
        Page1: [
          {
            Fdate: '2026-05-03',
            FCustID: { FNumber: '01.001' },
            FCurrencyID: { FNumber: 'USD' },
            FExchangeRate: '7.1',
          },
        ],
        Page2: [
          {
            FItemID: { FNumber: '1.01.001' },
            FAuxQty: '3',
            FAuxTaxPrice: '12.5',
          },
        ],
      });
    const jdyDocs = [
      loss(1, '1550000000000000001'),
      loss(2, '1550000000000000002'),
      loss(3, '404'),
    ];
    const wiseDocs = [order(10), order(11)];
    const send = async (docs: OutboundDocument[]): Promise<void> => {
      for (const d of docs) {
        await producer.sendJson(
          topics.outbound.get(d.target) ?? '',
          outboundDocumentSchema,
          [{ key: d.documentKey, value: d }],
        );
      }
    };
    await send([...jdyDocs, ...wiseDocs]);
    const first = await waitForMessages(topics.status, 5, {
      schema: statusEventSchema,
      timeoutMs: 30_000,
    });
    // Re-emitted documents (at-least-once upstream) are skipped by the ledger.
    await send([jdyDocs[0]!, wiseDocs[0]!]);
    const all = await waitForMessages(topics.status, 7, {
      schema: statusEventSchema,
      timeoutMs: 30_000,
    });

    const outcome = (d: OutboundDocument): string[] =>
      all
        .filter((e) => e.value.documentKey === d.documentKey)
        .map((e) => e.value.outcome);
    expect(first.map((e) => e.value.outcome).sort()).toEqual([
      'dead_lettered',
      'written',
      'written',
      'written',
      'written',
    ]);
    expect(outcome(jdyDocs[0]!)).toEqual(['written', 'duplicate_skipped']);
    expect(outcome(wiseDocs[0]!)).toEqual(['written', 'duplicate_skipped']);
    expect(
      all.find((e) => e.value.documentKey === jdyDocs[2]!.documentKey)?.value,
    ).toMatchObject({
      errorClass: 'missing_base_data',
      errorMessage: expect.stringContaining('商品[404]不存在'),
    });
    expect(
      jdy.documents
        .list()
        .map((d) => [d.billNo, d.writeCount, d.duplicateRejections])
        .sort(),
    ).toEqual([
      [jdyDocs[0]!.billNo, 1, 0],
      [jdyDocs[1]!.billNo, 1, 0],
    ]);
    expect(
      wise.documents
        .list()
        .map((d) => [d.billNo, d.writeCount, d.duplicateRejections])
        .sort(),
    ).toEqual([
      [wiseDocs[0]!.billNo, 1, 0],
      [wiseDocs[1]!.billNo, 1, 0],
    ]);
  });
});
