import { loadConfig } from '@kingbridge/config';
import {
  outboundDocumentSchema,
  type OutboundDocument,
} from '@kingbridge/contracts';
import {
  createProducer,
  ensureTopics,
  type KafkaProducer,
} from '@kingbridge/kafka';
import { createLogger } from '@kingbridge/observability';
import { createDataSource } from '@kingbridge/persistence';
import {
  testKafkaConnection,
  TEST_KAFKA_BROKERS,
  uniqueName,
  TEST_DATABASE_URL,
} from '@kingbridge/testing';
import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
// Tests may start the simulators; production code never imports them.
import {
  startK3CloudSimulator,
  type K3CloudSimulator,
  type K3CloudSimulatorOptions,
} from '@kingbridge/simulators';
import type { SimulatorDeps } from '@kingbridge/simulators';
import { SCHEMA } from '../../src/database/migrations';
import {
  sinkKingdeeConfigSchema,
  type SinkKingdeeConfig,
} from '../../src/sink-kingdee.config';
import { SinkRuntime, sinkTopics } from '../../src/sink/sink-runtime';

export { TEST_DATABASE_URL } from '@kingbridge/testing';
export const K3_PASSWORD = 'Kb@2026!';

/** Environment of a sink under test: unique topic prefix and group, the test DB, short retries. */
export function sinkEnv(
  sim: K3CloudSimulator,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    SINK_TARGETS: 'k3cloud',
    TOPIC_PREFIX: `${uniqueName('it-sink')}.`,
    SINK_GROUP_ID: uniqueName('it-sink-group'),
    K3CLOUD_BASE_URL: sim.baseUrl,
    K3CLOUD_ACCT_ID: sim.acctId,
    K3CLOUD_PASSWORD: K3_PASSWORD,
    DATABASE_URL: TEST_DATABASE_URL,
    KAFKA_BROKERS: TEST_KAFKA_BROKERS.join(','),
    SINK_LINGER_MS: '50',
    SINK_RETRY_ATTEMPTS: '5',
    SINK_RETRY_BUDGET_MS: '0',
    SINK_RETRY_INITIAL_MS: '100',
    SINK_RETRY_MAX_MS: '1000',
    SINK_GAUGE_REFRESH_MS: '500',
    KINGDEE_TIMEOUT_MS: '2000',
    SINK_IN_FLIGHT_GRACE_MS: '300',
    HTTP_PORT: '0',
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'error',
    ...extra,
  };
}

/** A 销售出库单 for the simulator's default master data. */
export function outstockDocument(
  flow: string,
  n: number,
  options: { material?: string; rows?: number; verify?: boolean } = {},
): OutboundDocument {
  const billNo = `${flow}-${n}`.toUpperCase();
  return outboundDocumentSchema.parse({
    schemaVersion: 1,
    flow,
    documentKey: `${flow}:${n}`,
    target: 'k3cloud',
    formId: 'SAL_OUTSTOCK',
    operation: 'BatchSave',
    options: options.verify === false ? {} : { IsVerifyBaseDataField: true },
    billNo,
    batchRows: options.rows ?? 10,
    document: {
      FBillTypeID: { FNumber: 'XSCKD01_SYS' },
      FBillNo: billNo,
      FDate: '2026-05-01 10:00:00',
      FStockOrgId: { FNumber: '100' },
      FSaleOrgId: { FNumber: '100' },
      FCustomerID: { FNumber: 'CUST0001' },
      FEntity: [
        {
          FMaterialID: { FNumber: options.material ?? 'SKU001' },
          FRealQty: 2,
          FStockID: { FNumber: 'CK001' },
        },
      ],
    },
    lineage: {
      platform: 'wdt',
      stream: 'wdt.stockout-order.it',
      sourceIds: [`S${n}`],
      firstFetchedAt: new Date(Date.now() - 60_000).toISOString(),
      rawOffsets: [],
    },
    createdAt: new Date().toISOString(),
  });
}

/** The sink runtime in this process plus the simulator, a producer and the test database. */
export class SinkHarness {
  readonly flow = uniqueName('it-flow');
  readonly registry = new Registry();
  runtime: SinkRuntime | undefined;
  private readonly others: SinkRuntime[] = [];
  private producer: KafkaProducer | undefined;
  private db: DataSource | undefined;

  private constructor(
    readonly sim: K3CloudSimulator,
    readonly config: SinkKingdeeConfig,
  ) {}

  static async create(
    simOptions: K3CloudSimulatorOptions = {},
    extra: Record<string, string> = {},
    simDeps: SimulatorDeps = {},
  ): Promise<SinkHarness> {
    const sim = await startK3CloudSimulator(
      { admin: true, ...simOptions },
      simDeps,
    );
    const config = loadConfig(sinkKingdeeConfigSchema, sinkEnv(sim, extra));
    return new SinkHarness(sim, config);
  }

  get topic(): string {
    return sinkTopics(this.config).outbound.get('k3cloud') ?? '';
  }

  get statusTopic(): string {
    return sinkTopics(this.config).status;
  }

  async ensureTopics(): Promise<void> {
    await ensureTopics(testKafkaConnection(), [
      { name: this.topic, partitions: 3 },
      { name: `${this.topic}.dlq`, partitions: 1 },
      { name: this.statusTopic, partitions: 1 },
    ]);
  }

  async startSink(): Promise<SinkRuntime> {
    this.runtime = new SinkRuntime({
      config: this.config,
      logger: createLogger('sink-kingdee-it', this.config.LOG_LEVEL),
      registry: this.registry,
    });
    await this.runtime.start();
    return this.runtime;
  }

  async produce(docs: readonly OutboundDocument[]): Promise<void> {
    if (!this.producer) {
      this.producer = createProducer(testKafkaConnection());
      await this.producer.connect();
    }
    await this.producer.sendJson(
      this.topic,
      outboundDocumentSchema,
      docs.map((d) => ({ key: d.documentKey, value: d })),
    );
  }

  /** Produces to one partition of the outbound topic (tests of ownership and head-of-line blocking). */
  async produceTo(
    partition: number,
    docs: readonly OutboundDocument[],
  ): Promise<void> {
    if (!this.producer) {
      this.producer = createProducer(testKafkaConnection());
      await this.producer.connect();
    }
    await this.producer.send(
      this.topic,
      docs.map((d) => ({
        key: d.documentKey,
        value: JSON.stringify(outboundDocumentSchema.parse(d)),
        partition,
      })),
    );
  }

  /** A second sink instance in the same consumer group (another owner of the partitions). */
  async startAnotherSink(): Promise<SinkRuntime> {
    const runtime = new SinkRuntime({
      config: this.config,
      logger: createLogger('sink-kingdee-it-2', this.config.LOG_LEVEL),
      registry: new Registry(),
    });
    this.others.push(runtime);
    await runtime.start();
    return runtime;
  }

  async database(): Promise<DataSource> {
    if (!this.db) {
      this.db = createDataSource({ url: TEST_DATABASE_URL, schema: SCHEMA });
      await this.db.initialize();
    }
    return this.db;
  }

  producerHandle(): KafkaProducer {
    if (!this.producer) throw new Error('produce() first');
    return this.producer;
  }

  /** Simulator bills of this harness's flow. */
  bills(): ReturnType<K3CloudSimulator['documents']['list']> {
    return this.sim.documents
      .list({ formId: 'SAL_OUTSTOCK' })
      .filter((d) => d.billNo.startsWith(this.flow.toUpperCase()));
  }

  async close(): Promise<void> {
    await Promise.all(this.others.map((r) => r.stop()));
    await this.runtime?.stop();
    await this.producer?.disconnect();
    if (this.db?.isInitialized) await this.db.destroy();
    await this.sim.close();
  }
}
