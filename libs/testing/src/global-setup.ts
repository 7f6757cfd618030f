import pg from 'pg';
import type { TestProject } from 'vitest/node';
import type { TopicSpec } from '@kingbridge/contracts';
import { createKafkaConnection, ensureTopics } from '@kingbridge/kafka';
import { createLogger } from '@kingbridge/observability';
import { acquireTestBroker, releaseTestBroker } from './test-broker';

/*
 * The integration project's vitest globalSetup, built by integrationGlobalSetup({ migrate, topics }): the tests' own
 * Kafka broker (127.0.0.1:19192, state in .cache/kafka-test, see test-broker.ts; never the main job's 19092)
 * unless KAFKA_BROKERS names one, database kingbridge_test (created if missing), then the migrations the caller
 * passes in (the repo's are applied by scripts/test/integration-global-setup.ts). Runs once per run; the
 * returned teardown releases the broker (the last run using it stops it).
 */

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    kafkaBrokers: string;
  }
}

const TEST_DATABASE = 'kingbridge_test';

export interface IntegrationSetupOptions {
  /** Applies every migration to the (created) test database. */
  readonly migrate: (databaseUrl: string) => Promise<unknown>;
  /** The topics to create before any test (the repo passes every topic of the registered streams). */
  readonly topics: readonly TopicSpec[];
}

/** A vitest globalSetup function that applies the given migrations. */
export function integrationGlobalSetup(
  options: IntegrationSetupOptions,
): (project: TestProject) => Promise<() => void> {
  return (project) => setup(project, options);
}

async function setup(
  project: TestProject,
  options: IntegrationSetupOptions,
): Promise<() => void> {
  const own = process.env['KAFKA_BROKERS'] === undefined;
  const brokers = own
    ? acquireTestBroker()
    : (process.env['KAFKA_BROKERS'] as string);
  const teardown = (): void => {
    if (own) releaseTestBroker();
  };
  process.env['KAFKA_BROKERS'] = brokers;
  try {
    await createContractTopics(brokers, options.topics);
  } catch (err) {
    teardown();
    throw err;
  }

  const databaseUrl =
    process.env['DATABASE_URL'] ??
    `postgres://postgres@127.0.0.1:5432/${TEST_DATABASE}`;
  await ensureDatabase(databaseUrl);
  // Forked test workers inherit the environment of this process.
  process.env['DATABASE_URL'] = databaseUrl;
  try {
    await options.migrate(databaseUrl);
  } catch (err) {
    teardown();
    throw err;
  }

  project.provide('databaseUrl', databaseUrl);
  project.provide('kafkaBrokers', brokers);
  return teardown;
}

/**
 * Creates the topics the caller names (auto-create is off on the broker), so a test that reads a fixed topic
 * before any service started works on a fresh broker too.
 */
async function createContractTopics(
  brokers: string,
  topics: readonly TopicSpec[],
): Promise<void> {
  const conn = createKafkaConnection({
    brokers: brokers.split(','),
    clientId: 'kingbridge-test-setup',
    logger: createLogger('test-setup', 'error'),
  });
  await ensureTopics(conn, [...topics]);
}

async function ensureDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) {
    throw new Error(
      `global-setup: unexpected database name in DATABASE_URL: ${name}`,
    );
  }
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `global-setup: PostgreSQL not reachable at ${url.host} (${(err as Error).message})`,
      { cause: err },
    );
  }
  try {
    const found = await client.query(
      'select 1 from pg_database where datname = $1',
      [name],
    );
    if (found.rowCount === 0) {
      try {
        await client.query(`create database "${name}"`);
      } catch (err) {
        // Another run may have created it in between (42P04 duplicate_database).
        if ((err as { code?: string }).code !== '42P04') throw err;
      }
    }
  } finally {
    await client.end();
  }
}
