import {
  createKafkaConnection,
  createProducer,
  type KafkaProducer,
} from '@kingbridge/kafka';
import type { Logger } from '@kingbridge/observability';
import { createDataSource } from '@kingbridge/persistence';
import type { DataSource } from 'typeorm';
import { SCHEMA } from '../database/migrations';
import {
  DeadLetterRepository,
  type DeadLetterFilter,
  type StoredDeadLetter,
} from '../dead-letters/dead-letter.repository';
import { replayDeadLetters } from '../dead-letters/dead-letter.replayer';
import {
  LedgerRepository,
  type LedgerEntry,
} from '../ledger/ledger.repository';

export interface SinkAdminOptions {
  readonly databaseUrl: string;
  readonly kafkaBrokers: readonly string[];
  readonly logger: Logger;
  readonly applicationName: string;
}

// A dry run only selects; it never publishes, so no Kafka connection is opened for it.
const NO_PRODUCER: KafkaProducer = new Proxy({} as KafkaProducer, {
  get(): never {
    throw new Error('dry run must not publish');
  },
});

/** A dead letter as the admin API shows it (without the raw message value). */
export type DeadLetterView = Omit<StoredDeadLetter, 'value'>;

export interface RecordTrace {
  readonly sourceId: string;
  readonly deadLetters: readonly DeadLetterView[];
  readonly documents: readonly LedgerEntry[];
}

/**
 * Dead-letter listing, replay, ledger lookup and record trace over the
 * sink's Postgres store: the logic behind both `kingbridge dlq … sink` and the
 * `/admin/*` endpoints. Connects lazily (the first admin call), so an app
 * whose admin endpoints are never used opens no extra connections.
 */
export class SinkAdminService {
  private db: Promise<DataSource> | undefined;
  private producer: Promise<KafkaProducer> | undefined;

  constructor(private readonly options: SinkAdminOptions) {}

  async listDeadLetters(filter: DeadLetterFilter): Promise<StoredDeadLetter[]> {
    return (await this.deadLetters()).list(filter);
  }

  /** Re-submits the selected dead letters; the ledger still guarantees one write per document. */
  async replay(
    filter: DeadLetterFilter,
    dryRun = false,
  ): Promise<StoredDeadLetter[]> {
    const repository = await this.deadLetters();
    if (dryRun)
      return replayDeadLetters(repository, NO_PRODUCER, filter, {
        dryRun: true,
      });
    return replayDeadLetters(repository, await this.connectProducer(), filter);
  }

  async ledger(documentKey: string): Promise<LedgerEntry | undefined> {
    const db = await this.connectDb();
    return (await new LedgerRepository(db).load([documentKey])).get(
      documentKey,
    );
  }

  /** The sink's part of a record's path: dead letters naming the source id and their documents' ledger state. */
  async trace(sourceId: string): Promise<RecordTrace> {
    const deadLetters = await this.listDeadLetters({
      sourceId,
      status: 'all',
    });
    const keys = [
      ...new Set(
        deadLetters
          .map((d) => d.documentKey)
          .filter((k): k is string => k !== null),
      ),
    ];
    const db = await this.connectDb();
    const ledger = await new LedgerRepository(db).load(keys);
    return {
      sourceId,
      deadLetters: deadLetters.map(toView),
      documents: [...ledger.values()],
    };
  }

  async close(): Promise<void> {
    const [db, producer] = [this.db, this.producer];
    this.db = undefined;
    this.producer = undefined;
    await Promise.allSettled([
      producer?.then((p) => p.disconnect()),
      db?.then((d) => d.destroy()),
    ]);
  }

  private async deadLetters(): Promise<DeadLetterRepository> {
    return new DeadLetterRepository(await this.connectDb());
  }

  private connectDb(): Promise<DataSource> {
    this.db ??= (async () => {
      const db = createDataSource({
        url: this.options.databaseUrl,
        schema: SCHEMA,
        applicationName: this.options.applicationName,
        poolSize: 2,
        logger: this.options.logger,
      });
      await db.initialize();
      return db;
    })().catch((err: unknown) => {
      this.db = undefined;
      throw err;
    });
    return this.db;
  }

  private connectProducer(): Promise<KafkaProducer> {
    this.producer ??= (async () => {
      const producer = createProducer(
        createKafkaConnection({
          brokers: [...this.options.kafkaBrokers],
          clientId: this.options.applicationName,
          logger: this.options.logger,
        }),
      );
      await producer.connect();
      return producer;
    })().catch((err: unknown) => {
      this.producer = undefined;
      throw err;
    });
    return this.producer;
  }
}

export function toView(d: StoredDeadLetter): DeadLetterView {
  const { value: _value, ...view } = d;
  return view;
}
