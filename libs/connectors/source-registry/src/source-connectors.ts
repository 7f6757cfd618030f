import { jackyunConnector } from '@kingbridge/source-jackyun';
import { jushuitanConnector } from '@kingbridge/source-jushuitan';
import type { SourceConnectorSpec } from '@kingbridge/source-kit';
import { wdtConnector } from '@kingbridge/source-wdt';
import { xiaomanConnector } from '@kingbridge/source-xiaoman';

/**
 * Every source platform Kingbridge pulls from, one line each: a new platform is its folder
 * `libs/connectors/source-<platform>/` and its line here (docs/connectors/adding-a-platform.md). The
 * source-connector service's configuration, credentials, rate limit, port and client factory, the raw topics
 * every service creates and the streams a plan may name are all read from these specs.
 */
export const SOURCE_CONNECTORS: readonly SourceConnectorSpec[] = [
  jackyunConnector,
  wdtConnector,
  jushuitanConnector,
  xiaomanConnector,
];
