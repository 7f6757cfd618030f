import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, loadConfig } from '@kingbridge/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startWdtSimulator,
  startJackyunSimulator,
} from '@kingbridge/simulators';
import { createConnectorClient } from '../connectors/connector-client.factory';
import { sourceConnectorConfigSchema } from '../source-connector.config';

type Sim = Awaited<ReturnType<typeof startWdtSimulator>>;

function exampleEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  const file = resolve(__dirname, '../../.env.example');
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}

describe('WDT transport chosen by config', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startWdtSimulator({
      initialRecords: 20,
      historyDays: 2,
      rateLimit: { perSecond: 0 },
    });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('should pull through the 企业奇门 router with the same query when WDT_TRANSPORT=qimen', async () => {
    // Arrange
    const config = loadConfig(sourceConnectorConfigSchema, {
      ...exampleEnv(),
      CONNECTOR_ID: 'wdt',
      WDT_BASE_URL: sim.url,
      WDT_TRANSPORT: 'qimen',
      WDT_QIMEN_APP_KEY: 'demo_qm_key',
      WDT_QIMEN_APP_SECRET: 'demo_qm_secret',
      WDT_QIMEN_TARGET_APP_KEY: 'demo_target_key',
    });
    const client = createConnectorClient(config, {});
    const query = {
      entity: 'stockout-order' as const,
      from: new Date(Date.now() - 3 * 86_400_000),
      to: new Date(),
      params: { status: '95' },
      pageSize: 100,
      page: null,
    };

    // Act
    const page = await client.fetchPage(query);

    // Assert
    expect(page.records.length).toBeGreaterThan(0);
    const requests = sim.admin.requests();
    expect(requests.map((r) => r.path)).toEqual(['/router/qm']);
    expect(requests[0]?.outcome).toBe('ok');
  });

  it('should name the Qimen credentials when WDT_TRANSPORT=qimen lacks them', () => {
    expect(() =>
      loadConfig(sourceConnectorConfigSchema, {
        ...exampleEnv(),
        CONNECTOR_ID: 'wdt',
        WDT_TRANSPORT: 'qimen',
      }),
    ).toThrow(ConfigError);
    expect(() =>
      loadConfig(sourceConnectorConfigSchema, {
        ...exampleEnv(),
        CONNECTOR_ID: 'wdt',
        WDT_TRANSPORT: 'qimen',
      }),
    ).toThrow(
      /WDT_QIMEN_APP_KEY: required when CONNECTOR_ID=wdt and WDT_TRANSPORT=qimen/,
    );
  });
});

describe('Jackyun gateway chosen by config', () => {
  it('should pull the retail trades through 吉客云·奇门 when JACKYUN_TRANSPORT=qimen', async () => {
    // Arrange
    const sim = await startJackyunSimulator({
      appkey: 'demo_key_1',
      secret: 'demo_secret_1',
      initialRecords: 20,
      historyDays: 2,
      rateLimit: { perSecond: 0 },
    });
    try {
      const config = loadConfig(sourceConnectorConfigSchema, {
        ...exampleEnv(),
        CONNECTOR_ID: 'jackyun',
        JACKYUN_BASE_URL: sim.url,
        JACKYUN_APP_KEY: 'demo_key_1',
        JACKYUN_APP_SECRET: 'demo_secret_1',
        JACKYUN_TRANSPORT: 'qimen',
        JACKYUN_QIMEN_APP_KEY: 'demo_jky_qm_key',
        JACKYUN_QIMEN_APP_SECRET: 'demo_jky_qm_secret',
        JACKYUN_QIMEN_TARGET_APP_KEY: 'demo_jky_target',
      });
      const client = createConnectorClient(config, {});

      // Act
      const page = await client.fetchPage({
        entity: 'sales-order',
        from: new Date(Date.now() - 2 * 86_400_000),
        to: new Date(),
        params: { tradeType: 1 },
        pageSize: 200,
        page: null,
      });

      // Assert
      expect(page.records.length).toBeGreaterThan(0);
      const requests = sim.admin.requests();
      expect(requests.map((r) => r.path)).toEqual(['/router/qm']);
      expect(requests[0]?.outcome).toBe('ok');
    } finally {
      await sim.close();
    }
  });
});
