import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@kingbridge/config';
import {
  deadLetterSchema,
  dlqTopic,
  outboundDocumentSchema,
  outboundTopic,
  type DeadLetter,
  type OutboundDocument,
  type RawRecord,
} from '@kingbridge/contracts';
import { createLogger } from '@kingbridge/observability';
import { TEST_KAFKA_BROKERS, uniqueName } from '@kingbridge/testing';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule } from '../../src/app.module';
import { transformConfigSchema } from '../../src/transform.config';
import {
  ROOT,
  TEST_DATABASE_URL,
  TopicCollector,
  cleanupFlow,
  publish,
  seedLookups,
  rawRecord,
  rawTopicOf,
  testFlow,
  writePlansDir,
  type TestFlow,
} from './transform.harness';

const FIXTURE = join(
  ROOT,
  'libs/transform-engine/fixtures/jushuitan-count-loss-to-jdy',
);

interface Golden {
  outcomes: Array<{
    sourceId: string;
    outcome: string;
    errorClass?: string;
    fieldPath?: string;
    message?: string;
  }>;
  documents: OutboundDocument[];
}

describe('transform: per-record flow against real Kafka and Postgres', () => {
  let app: INestApplication;
  let flow: TestFlow;
  let outbound: TopicCollector<OutboundDocument>;
  let deadLetters: TopicCollector<DeadLetter>;
  const golden = JSON.parse(
    readFileSync(join(FIXTURE, 'expected.json'), 'utf8'),
  ) as Golden;
  const inputs = JSON.parse(
    readFileSync(join(FIXTURE, 'input.json'), 'utf8'),
  ) as RawRecord[];

  beforeAll(async () => {
    const suffix = uniqueName('it').replace('-', '');
    flow = await testFlow('jushuitan-count-loss-to-jdy.yaml', suffix);
    const lookups = JSON.parse(
      readFileSync(join(FIXTURE, 'lookups.json'), 'utf8'),
    ) as Record<string, Record<string, unknown>[]>;
    const seeded = await seedLookups(
      Object.fromEntries(
        Object.entries(lookups).map(([t, rows]) => [flow.table(t), rows]),
      ),
    );
    expect(seeded).toContain(
      `lookup ${flow.table('materials')}: ${lookups['materials']?.length} rows`,
    );
    const config = loadConfig(transformConfigSchema, {
      DATABASE_URL: TEST_DATABASE_URL,
      KAFKA_BROKERS: TEST_KAFKA_BROKERS.join(','),
      HTTP_PORT: '0',
      PLANS_DIR: await writePlansDir([flow]),
      TRANSFORM_GROUP_ID: uniqueName('it-transform'),
      LOG_LEVEL: 'error',
    });
    outbound = await new TopicCollector(
      outboundTopic('jdy'),
      outboundDocumentSchema,
      (d) => d.flow === flow.id,
    ).start();
    deadLetters = await new TopicCollector(
      dlqTopic(rawTopicOf(flow)),
      deadLetterSchema,
      (d) => d.flow === flow.id,
    ).start();
    app = await NestFactory.create(
      AppModule.forRoot(config, createLogger('transform', 'error')),
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

  it('should produce the golden documents and dead-letter the failed lookup with flow and field path when records are published', async () => {
    const records = inputs.map((r) => rawRecord(flow, r.sourceId, r.payload));
    const positions = await publish(rawTopicOf(flow), records);

    const docs = await outbound.waitFor(golden.documents.length);
    const [letter] = await deadLetters.waitFor(1);

    const expected = golden.documents.map((d) => ({
      ...d,
      flow: flow.id,
      documentKey: d.documentKey.replace(
        'jushuitan-count-loss-to-jdy',
        flow.id,
      ),
    }));
    expect(
      docs.map(({ createdAt: _c, lineage, ...rest }) => ({
        ...rest,
        sourceIds: lineage.sourceIds,
      })),
    ).toEqual(
      expected.map(({ createdAt: _c, lineage, ...rest }) => ({
        ...rest,
        sourceIds: lineage.sourceIds,
      })),
    );
    // Lineage names the raw topic coordinates of the source record.
    const mappedIndex = records.findIndex(
      (r) => r.sourceId === golden.documents[0]?.lineage.sourceIds[0],
    );
    expect(docs[0]?.lineage).toMatchObject({
      stream: flow.stream,
      rawOffsets: [{ topic: rawTopicOf(flow), ...positions[mappedIndex] }],
    });
    // Keyed by document key.
    expect(outbound.items[0]?.key).toBe(docs[0]?.documentKey);

    const failed = golden.outcomes.find((o) => o.outcome === 'failed');
    const failedIndex = records.findIndex(
      (r) => r.sourceId === failed?.sourceId,
    );
    expect(letter).toMatchObject({
      service: 'transform',
      flow: flow.id,
      originalTopic: rawTopicOf(flow),
      partition: positions[failedIndex]?.partition,
      offset: positions[failedIndex]?.offset,
      errorClass: 'lookup',
      fieldPath: failed?.fieldPath,
      errorMessage: failed?.message?.replace(
        'materials',
        flow.table('materials'),
      ),
    });
    // The original bytes are kept for replay.
    const original = JSON.parse(
      Buffer.from(letter?.value ?? '', 'base64').toString('utf8'),
    ) as RawRecord;
    expect(original.sourceId).toBe(failed?.sourceId);
  });

  it('should count records in, out, filtered and failed per flow when the batch is done', async () => {
    const res = await fetch(
      `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/metrics`,
    );
    const text = await res.text();
    const value = (outcome: string): number => {
      const line = text
        .split('\n')
        .find(
          (l) =>
            l.startsWith('kingbridge_transform_records_total{') &&
            l.includes(`flow="${flow.id}"`) &&
            l.includes(`outcome="${outcome}"`),
        );
      return Number(line?.split(' ').pop());
    };
    const count = (o: string): number =>
      golden.outcomes.filter((x) => x.outcome === o).length;
    expect({
      in: value('in'),
      out: value('out'),
      filtered: value('filtered'),
      failed: value('failed'),
    }).toEqual({
      in: inputs.length,
      out: golden.documents.length,
      filtered: count('filtered'),
      failed: count('failed'),
    });
  });
});
