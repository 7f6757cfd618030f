import type { SourcePlatform } from '@kingbridge/contracts';
import { JackyunClient } from '@kingbridge/source-jackyun';
import { JushuitanClient } from '@kingbridge/source-jushuitan';
import type {
  RequestHooks,
  SourceConnectorClient,
} from '@kingbridge/source-runtime';
import { WdtClient } from '@kingbridge/source-wdt';
import { XiaomanClient } from '@kingbridge/source-xiaoman';
import type { SourceConnectorConfig } from '../source-connector.config';

function required(
  config: SourceConnectorConfig,
  name: keyof SourceConnectorConfig,
): string {
  const value = config[name];
  if (typeof value !== 'string' || value === '')
    throw new Error(`${String(name)} is required`);
  return value;
}

/** The production client of `CONNECTOR_ID`, with the runtime's hooks (rate limiter, metrics). */
export function createConnectorClient(
  config: SourceConnectorConfig,
  hooks: RequestHooks,
): SourceConnectorClient {
  const timeoutMs = config.SOURCE_TIMEOUT_MS;
  const platform: SourcePlatform = config.CONNECTOR_ID;
  switch (platform) {
    case 'jackyun':
      return new JackyunClient({
        baseUrl: config.JACKYUN_BASE_URL,
        credentials: {
          appKey: required(config, 'JACKYUN_APP_KEY'),
          appSecret: required(config, 'JACKYUN_APP_SECRET'),
        },
        ...(config.JACKYUN_TRANSPORT === 'qimen'
          ? {
              qimen: {
                appKey: required(config, 'JACKYUN_QIMEN_APP_KEY'),
                appSecret: required(config, 'JACKYUN_QIMEN_APP_SECRET'),
                targetAppKey: required(config, 'JACKYUN_QIMEN_TARGET_APP_KEY'),
              },
            }
          : {}),
        timeoutMs,
        hooks,
      });
    case 'wdt':
      return new WdtClient({
        baseUrl: config.WDT_BASE_URL,
        credentials: {
          sid: required(config, 'WDT_SID'),
          appKey: required(config, 'WDT_APP_KEY'),
          appSecret: required(config, 'WDT_APP_SECRET'),
        },
        ...(config.WDT_TRANSPORT === 'qimen'
          ? {
              qimen: {
                appKey: required(config, 'WDT_QIMEN_APP_KEY'),
                appSecret: required(config, 'WDT_QIMEN_APP_SECRET'),
                targetAppKey: required(config, 'WDT_QIMEN_TARGET_APP_KEY'),
              },
            }
          : {}),
        timeoutMs,
        hooks,
      });
    case 'jushuitan':
      return new JushuitanClient({
        baseUrl: config.JUSHUITAN_BASE_URL,
        credentials: {
          appKey: required(config, 'JUSHUITAN_APP_KEY'),
          appSecret: required(config, 'JUSHUITAN_APP_SECRET'),
          accessToken: required(config, 'JUSHUITAN_ACCESS_TOKEN'),
        },
        timeoutMs,
        hooks,
      });
    case 'xiaoman':
      return new XiaomanClient({
        baseUrl: config.XIAOMAN_BASE_URL,
        credentials: {
          clientId: required(config, 'XIAOMAN_CLIENT_ID'),
          clientSecret: required(config, 'XIAOMAN_CLIENT_SECRET'),
          scope: config.XIAOMAN_SCOPE,
        },
        timeoutMs,
        hooks,
      });
  }
}

export function rateLimitOf(config: SourceConnectorConfig): string {
  switch (config.CONNECTOR_ID) {
    case 'jackyun':
      return config.JACKYUN_RATE_LIMIT;
    case 'wdt':
      return config.WDT_RATE_LIMIT;
    case 'jushuitan':
      return config.JUSHUITAN_RATE_LIMIT;
    case 'xiaoman':
      return config.XIAOMAN_RATE_LIMIT;
  }
}
