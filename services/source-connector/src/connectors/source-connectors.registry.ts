import { jackyunConnector } from '@kingbridge/source-jackyun';
import { jushuitanConnector } from '@kingbridge/source-jushuitan';
import type { SourceConnectorSpec } from '@kingbridge/source-kit';
import { wdtConnector } from '@kingbridge/source-wdt';
import { xiaomanConnector } from '@kingbridge/source-xiaoman';

/**
 * Every source platform this service can run, one line each (docs/connectors/adding-a-platform.md). The config
 * schema, the required credentials, the rate limit, the default port and the client factory all come from here.
 */
export const SOURCE_CONNECTORS: readonly SourceConnectorSpec[] = [
  jackyunConnector,
  wdtConnector,
  jushuitanConnector,
  xiaomanConnector,
];
