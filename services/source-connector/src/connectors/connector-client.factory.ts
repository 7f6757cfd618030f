import type { SourceConnectorSpec } from '@kingbridge/source-kit';
import type {
  RequestHooks,
  SourceConnectorClient,
} from '@kingbridge/source-runtime';
import {
  connectorSpecOf,
  type SourceConnectorConfig,
} from '../source-connector.config';
import { SOURCE_CONNECTORS } from '@kingbridge/source-registry';

/** The production client of `CONNECTOR_ID`, with the runtime's hooks (rate limiter, metrics). */
export function createConnectorClient(
  config: SourceConnectorConfig,
  hooks: RequestHooks,
  registry: readonly SourceConnectorSpec[] = SOURCE_CONNECTORS,
): SourceConnectorClient {
  return connectorSpecOf(config.CONNECTOR_ID, registry).createClient(config, {
    timeoutMs: config.SOURCE_TIMEOUT_MS,
    hooks,
  });
}

/** The request limit of `CONNECTOR_ID` (its `<PLATFORM>_RATE_LIMIT`, validated at start). */
export function rateLimitOf(
  config: SourceConnectorConfig,
  registry: readonly SourceConnectorSpec[] = SOURCE_CONNECTORS,
): string {
  const { rateLimit } = connectorSpecOf(config.CONNECTOR_ID, registry);
  const value = (config as Readonly<Record<string, unknown>>)[
    rateLimit.variable
  ];
  return typeof value === 'string' ? value : rateLimit.default;
}
