import { loadConfig } from '@kingbridge/config';
import {
  type RawRecord,
  rawRecordSchema,
  type SourcePlatform,
} from '@kingbridge/contracts';
import { allTopics, rawTopic } from '@kingbridge/source-registry';
import {
  createKafkaConnection,
  createProducer,
  ensureTopics,
  type KafkaProducer,
} from '@kingbridge/kafka';
import { createLogger } from '@kingbridge/observability';
import { createDataSource } from '@kingbridge/persistence';
import type {
  SourceStreamInput,
  StreamRunner,
} from '@kingbridge/source-runtime';
import {
  TEST_KAFKA_BROKERS,
  uniqueName,
  waitForMessages,
  TEST_DATABASE_URL,
} from '@kingbridge/testing';
import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { SCHEMA } from '../../src/database/migrations';
import {
  buildSourceRuntime,
  kafkaRawRecordPublisher,
  type SourceRuntimeParts,
} from '../../src/runtime/source-runtime.factory';
import {
  connectorSpecOf,
  type SourceConnectorConfig,
  sourceConnectorConfigSchema,
} from '../../src/source-connector.config';
import { loadStreams } from '../../src/streams/load-streams';

export { TEST_DATABASE_URL } from '@kingbridge/testing';

/** Credentials the tests configure on both sides (simulator and connector). */
export const TEST_CREDENTIALS = {
  jackyun: {
    JACKYUN_APP_KEY: '12345678',
    JACKYUN_APP_SECRET: 'it-jackyun-secret',
  },
  wdt: {
    WDT_SID: 'it_sid',
    WDT_APP_KEY: 'it_key',
    WDT_APP_SECRET: 'it-wdt-secret',
  },
  jushuitan: {
    JUSHUITAN_APP_KEY: 'it_app_key',
    JUSHUITAN_APP_SECRET: 'it-jst-secret',
    JUSHUITAN_ACCESS_TOKEN: 'it-jst-token',
  },
  xiaoman: {
    XIAOMAN_CLIENT_ID: 'it_client',
    XIAOMAN_CLIENT_SECRET: 'it-okki-secret',
  },
} as const;

/** A platform the tests hold credentials for. */
export type TestPlatform = keyof typeof TEST_CREDENTIALS;

/** Environment of a connector process under test: unique topic prefix, test DB, no overlap/lag. */
export function connectorEnv(
  platform: TestPlatform,
  baseUrl: string,
  streams: readonly SourceStreamInput[],
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    CONNECTOR_ID: platform,
    [connectorSpecOf(platform).endpoint.variable]: baseUrl,
    ...TEST_CREDENTIALS[platform],
    DATABASE_URL: TEST_DATABASE_URL,
    KAFKA_BROKERS: TEST_KAFKA_BROKERS.join(','),
    RAW_TOPIC_PREFIX: `${uniqueName('it')}.`,
    SOURCE_STREAMS: JSON.stringify(streams),
    OVERLAP_MS: '0',
    SAFETY_LAG_MS: '0',
    SOURCE_TIMEOUT_MS: '5000',
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'error',
    HTTP_PORT: '0',
    ...extra,
  };
}

export function uniqueStreamId(
  platform: SourcePlatform,
  entity: string,
): string {
  return uniqueName(`${platform}.${entity}`).toLowerCase();
}

/** The connector runtime in this process, wired to real Kafka and Postgres. */
export class InProcessConnector {
  private constructor(
    readonly config: SourceConnectorConfig,
    readonly parts: SourceRuntimeParts,
    readonly registry: Registry,
    private readonly dataSource: DataSource,
    private readonly producer: KafkaProducer,
  ) {}

  static async start(env: Record<string, string>): Promise<InProcessConnector> {
    const config = loadConfig(sourceConnectorConfigSchema, env);
    const streams = await loadStreams(config);
    const logger = createLogger('source-connector-test', config.LOG_LEVEL);
    const dataSource = createDataSource({
      url: config.DATABASE_URL,
      schema: SCHEMA,
      applicationName: 'source-connector-test',
      poolSize: 2,
    });
    await dataSource.initialize();
    const connection = createKafkaConnection({
      brokers: config.KAFKA_BROKERS,
      clientId: 'source-connector-test',
      logger,
    });
    const names = new Set(streams.map((s) => rawTopic(s.platform, s.entity)));
    await ensureTopics(
      connection,
      allTopics()
        .filter((t) => names.has(t.name))
        .map((t) => ({ ...t, name: `${config.RAW_TOPIC_PREFIX}${t.name}` })),
    );
    const producer = createProducer(connection);
    await producer.connect();
    const registry = new Registry();
    const parts = buildSourceRuntime({
      config,
      streams,
      db: dataSource,
      publisher: kafkaRawRecordPublisher(producer),
      registry,
      logger,
    });
    return new InProcessConnector(
      config,
      parts,
      registry,
      dataSource,
      producer,
    );
  }

  runner(streamId?: string): StreamRunner {
    const r = streamId
      ? this.parts.runners.find((x) => x.stream.id === streamId)
      : this.parts.runners[0];
    if (!r) throw new Error(`no runner ${streamId ?? ''}`);
    return r;
  }

  topicOf(streamId?: string): string {
    const s = this.runner(streamId).stream;
    return `${this.config.RAW_TOPIC_PREFIX}${rawTopic(s.platform, s.entity)}`;
  }

  async metric(
    name: string,
    labels: Record<string, string> = {},
  ): Promise<number> {
    const json = await this.registry.getMetricsAsJSON();
    const m = json.find((x) => x.name === name);
    return (m?.values ?? [])
      .filter((v) =>
        Object.entries(labels).every(
          ([k, val]) => (v.labels as Record<string, unknown>)[k] === val,
        ),
      )
      .reduce((sum, v) => sum + v.value, 0);
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
    await this.dataSource.destroy();
  }
}

/** Reads exactly `count` raw records of `topic` (validated). */
export async function readRawRecords(
  topic: string,
  count: number,
  timeoutMs = 20_000,
): Promise<RawRecord[]> {
  if (count === 0) return [];
  const messages = await waitForMessages(topic, count, {
    schema: rawRecordSchema,
    timeoutMs,
  });
  return messages.map((m) => m.value);
}

/** Latest published version per source id (by modifiedAt, then publish order). */
export function latestBySourceId(
  records: readonly RawRecord[],
): Map<string, RawRecord> {
  const out = new Map<string, RawRecord>();
  for (const r of records) {
    const prev = out.get(r.sourceId);
    if (!prev || Date.parse(prev.modifiedAt) <= Date.parse(r.modifiedAt))
      out.set(r.sourceId, r);
  }
  return out;
}

export async function deleteStreamState(
  streamIds: readonly string[],
): Promise<void> {
  const ds = createDataSource({
    url: TEST_DATABASE_URL,
    schema: SCHEMA,
    applicationName: 'source-connector-test-cleanup',
    poolSize: 1,
  });
  await ds.initialize();
  try {
    for (const t of ['stream_checkpoint', 'record_state', 'backfill_job']) {
      await ds.query(
        `DELETE FROM ${SCHEMA}.${t} WHERE stream_id = ANY($1::text[])`,
        [streamIds],
      );
    }
  } finally {
    await ds.destroy();
  }
}
