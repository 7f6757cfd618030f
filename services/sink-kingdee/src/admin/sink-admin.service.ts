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

/** Opened on first use and shared; a failed open is forgotten, so the next use tries again. */
class LazyConnection<T> {
  private value: Promise<T> | undefined;

  constructor(
    private readonly open: () => Promise<T>,
    private readonly release: (value: T) => Promise<void>,
  ) {}

  get(): Promise<T> {
    this.value ??= this.open().catch((err: unknown) => {
      this.value = undefined;
      throw err;
    });
    return this.value;
  }

  /** Forgets the connection and releases it if it was opened. */
  async close(): Promise<void> {
    const value = this.value;
    this.value = undefined;
    await value?.then((v) => this.release(v));
  }
}

/**
 * Dead-letter listing, replay, ledger lookup and record trace over the
 * sink's Postgres store: the logic behind both `kingbridge dlq … sink` and the
 * `/admin/*` endpoints. Connects lazily (the first admin call), so an app
 * whose admin endpoints are never used opens no extra connections.
 */
export class SinkAdminService {
  private readonly db = new LazyConnection<DataSource>(
    async () => {
      const db = createDataSource({
        url: this.options.databaseUrl,
        schema: SCHEMA,
        applicationName: this.options.applicationName,
        poolSize: 2,
        logger: this.options.logger,
      });
      await db.initialize();
      return db;
    },
    (db) => db.destroy(),
  );
  private readonly producer = new LazyConnection<KafkaProducer>(
    async () => {
      const producer = createProducer(
        createKafkaConnection({
          brokers: [...this.options.kafkaBrokers],
          clientId: this.options.applicationName,
          logger: this.options.logger,
        }),
      );
      await producer.connect();
      return producer;
    },
    (producer) => producer.disconnect(),
  );

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
    return replayDeadLetters(repository, await this.producer.get(), filter);
  }

  async ledger(documentKey: string): Promise<LedgerEntry | undefined> {
    const db = await this.db.get();
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
    const db = await this.db.get();
    const ledger = await new LedgerRepository(db).load(keys);
    return {
      sourceId,
      deadLetters: deadLetters.map(toView),
      documents: [...ledger.values()],
    };
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.producer.close(), this.db.close()]);
  }

  private async deadLetters(): Promise<DeadLetterRepository> {
    return new DeadLetterRepository(await this.db.get());
  }
}

export function toView(d: StoredDeadLetter): DeadLetterView {
  const { value: _value, ...view } = d;
  return view;
}
