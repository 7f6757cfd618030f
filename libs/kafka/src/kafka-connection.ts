import {
  RetryStoppedError,
  retryWithBackoff,
  type BackoffPolicy,
} from '@kingbridge/pipeline-core';
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from '@kingbridge/observability';
import { createKafkaAdmin } from './kafka-admin';
import { kafkaSecurityFromEnv, kafkajsSecurity } from './kafka-security.config';
import type {
  KafkaAdmin,
  KafkaConnection,
  KafkaConnectionOptions,
} from './kafka.types';

/** Backoff used while the cluster is unreachable at start (capped at 10 s, unlimited attempts). */
export const CONNECT_BACKOFF: BackoffPolicy = {
  initialMs: 300,
  multiplier: 2,
  factor: 0.2,
  maxMs: 10_000,
  attempts: Number.POSITIVE_INFINITY,
};

/** Internal: the connection object also carries the kafkajs client (never exported from the lib). */
export interface InternalKafkaConnection extends KafkaConnection {
  readonly client: Kafka;
}

/**
 * Creates a connection handle. Nothing is opened yet: producers, consumers
 * and admin calls connect lazily, so this never throws on a down broker.
 */
export function createKafkaConnection(
  options: KafkaConnectionOptions,
): KafkaConnection {
  const logger = options.logger.child({ component: 'kafka' });
  // Every service and CLI gets SASL/TLS from its environment unless the caller passes its own.
  const security = kafkajsSecurity(options.security ?? kafkaSecurityFromEnv());
  const client = new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    ...security,
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    retry: { initialRetryTime: 300, retries: 5, maxRetryTime: 10_000 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => forwardLog(logger, entry),
  });
  const admin: KafkaAdmin = createKafkaAdmin(client);
  // Separate client without retries: a down broker must answer "no" fast.
  const probeClient = new Kafka({
    clientId: `${options.clientId}-probe`,
    brokers: [...options.brokers],
    ...security,
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });

  async function ping(timeoutMs = 3000): Promise<boolean> {
    const probe = probeClient.admin();
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${timeoutMs} ms`)),
          timeoutMs,
        );
      });
      await Promise.race([
        (async () => {
          await probe.connect();
          await probe.describeCluster();
        })(),
        timeout,
      ]);
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
      await probe.disconnect().catch(() => undefined);
    }
  }

  async function waitUntilReachable(signal?: AbortSignal): Promise<void> {
    try {
      await retryWithBackoff(
        async (attempt) => {
          if (!(await ping())) throw new Error('kafka not reachable');
          if (attempt > 1)
            logger.info({ brokers: options.brokers }, 'kafka reachable');
        },
        {
          policy: CONNECT_BACKOFF,
          signal,
          onRetry: (_err, attempt, retryInMs) =>
            logger.warn(
              { brokers: options.brokers, attempt, retryInMs },
              'kafka not reachable, retrying',
            ),
        },
      );
    } catch (err) {
      // Unlimited attempts and no deadline: only an abort stops it.
      if (err instanceof RetryStoppedError)
        throw new Error('aborted while waiting for Kafka');
      throw err;
    }
  }

  const connection: InternalKafkaConnection = {
    clientId: options.clientId,
    brokers: [...options.brokers],
    logger,
    admin,
    client,
    ping,
    waitUntilReachable,
  };
  return connection;
}

export function clientOf(connection: KafkaConnection): Kafka {
  const client = (connection as Partial<InternalKafkaConnection>).client;
  if (!(client instanceof Kafka)) {
    throw new Error('not a connection created by createKafkaConnection');
  }
  return client;
}

/*
 * kafkajs warnings we act on by design: bounded producer retries (the caller
 * gets a RetriableError instead of a send that never returns; consumers are
 * idempotent, so a resend is safe).
 */
const EXPECTED_WARNINGS = ['Limiting retries for the idempotent producer'];

function forwardLog(logger: Logger, entry: LogEntry): void {
  const { message, ...extra } = entry.log;
  const context = { kafkaLogger: entry.namespace, ...extra };
  const expected = EXPECTED_WARNINGS.some((w) => message.startsWith(w));
  switch (expected ? logLevel.DEBUG : entry.level) {
    case logLevel.ERROR:
      logger.error(context, message);
      break;
    case logLevel.WARN:
      logger.warn(context, message);
      break;
    case logLevel.INFO:
      logger.debug(context, message);
      break;
    default:
      logger.trace(context, message);
  }
}
