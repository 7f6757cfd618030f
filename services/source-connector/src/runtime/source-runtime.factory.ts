import {
  HEADER_SCHEMA_VERSION,
  HEADER_SOURCE,
  rawRecordSchema,
} from '@kingbridge/contracts';
import type { KafkaProducer } from '@kingbridge/kafka';
import type { Logger } from '@kingbridge/observability';
import {
  AdaptiveRateLimiter,
  CredentialChannel,
  createSourceMetrics,
  parseRateRules,
  parseUserTime,
  type RawRecordPublisher,
  type SourceConnectorClient,
  type SourceMetrics,
  type SourceStream,
  type SqlExecutor,
  SourceStateRepository,
  StreamRunner,
  WindowScanner,
} from '@kingbridge/source-runtime';
import type { Registry } from 'prom-client';
import {
  createConnectorClient,
  rateLimitOf,
} from '../connectors/connector-client.factory';
import type { SourceConnectorConfig } from '../source-connector.config';

/** Adapts the Kafka producer: key = sourceId; resolves once every record is acked. */
export function kafkaRawRecordPublisher(
  producer: KafkaProducer,
): RawRecordPublisher {
  return {
    async publish(topic, records) {
      await producer.sendJson(
        topic,
        rawRecordSchema,
        records.map((r) => ({
          key: r.sourceId,
          value: r,
          headers: {
            [HEADER_SOURCE]: r.platform,
            [HEADER_SCHEMA_VERSION]: String(r.schemaVersion),
          },
        })),
      );
    },
  };
}

export interface SourceRuntimeParts {
  readonly runners: readonly StreamRunner[];
  readonly channel: CredentialChannel;
  readonly state: SourceStateRepository;
}

export interface SourceClientParts {
  readonly client: SourceConnectorClient;
  readonly channel: CredentialChannel;
  readonly metrics: SourceMetrics;
}

/**
 * The production client of `CONNECTOR_ID` behind its credential channel (rate limiter, retry
 * policy, request metrics). One per credential: every stream of the process shares it.
 */
export function buildSourceClient(
  config: SourceConnectorConfig,
  registry: Registry,
  logger: Logger,
): SourceClientParts {
  const metrics = createSourceMetrics(registry);
  const limiter = new AdaptiveRateLimiter(parseRateRules(rateLimitOf(config)));
  const channel = new CredentialChannel(
    config.CONNECTOR_ID,
    limiter,
    metrics,
    logger,
  );
  return {
    client: createConnectorClient(config, channel.hooks()),
    channel,
    metrics,
  };
}

/**
 * Everything one connector process runs: one client and one rate limiter
 * for the credential of `CONNECTOR_ID` (shared by all its streams), and a
 * runner per stream. Used by the service and by scripts/backfill.ts.
 */
export function buildSourceRuntime(options: {
  config: SourceConnectorConfig;
  streams: readonly SourceStream[];
  db: SqlExecutor;
  publisher: RawRecordPublisher;
  registry: Registry;
  logger: Logger;
}): SourceRuntimeParts {
  const { config, logger } = options;
  const { client, channel, metrics } = buildSourceClient(
    config,
    options.registry,
    logger,
  );
  const state = new SourceStateRepository(options.db);
  const deps = {
    client,
    channel,
    state,
    publisher: options.publisher,
    metrics,
    logger,
  };
  const scanner = new WindowScanner(deps, {
    topicPrefix: config.RAW_TOPIC_PREFIX,
  });
  const timing = {
    overlapMs: config.OVERLAP_MS,
    safetyLagMs: config.SAFETY_LAG_MS,
    initialLookbackMs: config.INITIAL_LOOKBACK_MS,
    initialSyncFromMs:
      config.INITIAL_SYNC_FROM === undefined
        ? undefined
        : parseUserTime(config.INITIAL_SYNC_FROM),
    cronUtcOffsetMinutes: config.CRON_UTC_OFFSET_MINUTES,
    cronTimeZone: config.CRON_TIMEZONE,
  };
  const runners = options.streams.map((s) => {
    if (!client.entities.includes(s.entity)) {
      throw new Error(
        `stream ${s.id}: ${config.CONNECTOR_ID} has no entity ${s.entity} (has ${client.entities.join(', ')})`,
      );
    }
    return new StreamRunner(s, deps, timing, scanner);
  });
  return { runners, channel, state };
}
