import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig } from '@kingbridge/config';
import {
  defineSourceConnector,
  newRequestId,
  type RequestOutcome,
  SourceApi,
  SourceRequestError,
  sourceEnv,
} from '@kingbridge/source-kit';
import {
  SOURCE_CONNECTORS,
  SOURCE_STREAMS,
  sourceRegistry,
} from '@kingbridge/source-registry';
import type { SourceConnectorClient } from '@kingbridge/source-runtime';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createConnectorClient,
  rateLimitOf,
} from '../connectors/connector-client.factory';
import {
  connectorSpecOf,
  sourceConnectorConfigSchemaFor,
} from '../source-connector.config';

class AcmeRequestError extends SourceRequestError {}

/**
 * A fifth platform as docs/connectors/adding-a-platform.md writes it (its lib folder would hold the client, this
 * spec and protocol/); registered into a copy of the registry, nothing else of the service changes.
 */
const endpoint = {
  variable: 'ACME_BASE_URL',
  production: 'https://api.acme.example',
  simulatorPort: 18105,
} as const;
const acmeConnector = defineSourceConnector({
  id: 'acme',
  streams: [
    {
      entity: 'sales-order',
      domain: 'oms',
      api: '/{region}/orders',
      method: 'GET',
      idField: 'id',
    },
  ],
  httpPort: 19405,
  endpoint,
  rateLimit: {
    variable: 'ACME_RATE_LIMIT',
    default: '2/1s',
    description: 'Acme request limit',
  },
  env: {
    ACME_BASE_URL: sourceEnv.origin(endpoint, 'Acme origin'),
    ACME_API_TOKEN: sourceEnv.secret('Acme API token'),
    ACME_REGION: z.enum(['cn', 'global']).default('cn').describe('Acme region'),
  },
  requiredVariables: () => [{ name: 'ACME_API_TOKEN' }],
  createClient: (env, { timeoutMs, hooks }): SourceConnectorClient => {
    const api = new SourceApi(AcmeRequestError, {
      baseUrl: env.ACME_BASE_URL,
      timeoutMs,
      hooks,
    });
    const token = sourceEnv.required(env, 'ACME_API_TOKEN');
    return {
      platform: 'acme',
      entities: ['sales-order'],
      maxWindowMs: () => 86_400_000,
      async fetchPage(_query, signal) {
        const ids = { requestId: newRequestId(), endpoint: 'orders' };
        const body = await api.withHooks(ids.endpoint, signal, async () =>
          api.validate(
            z.object({ orders: z.array(z.object({ id: z.string() })) }),
            api.json(
              await api.send(
                {
                  path: `/${env.ACME_REGION}/orders`,
                  method: 'GET',
                  headers: { authorization: `Bearer ${token}` },
                  signal,
                },
                ids,
              ),
              ids,
            ),
            ids,
          ),
        );
        return {
          records: body.orders.map((o) => ({
            sourceId: o.id,
            modifiedAt: '2026-12-01T00:00:00+08:00',
            payload: o,
          })),
          total: body.orders.length,
          next: null,
          requestId: ids.requestId,
        };
      },
    };
  },
});

const REGISTRY = [...SOURCE_CONNECTORS, acmeConnector];
const schema = sourceConnectorConfigSchemaFor(REGISTRY);

describe('SOURCE_CONNECTORS', () => {
  it("should list every registered platform's streams when the registry is read", () => {
    expect(SOURCE_STREAMS.map((s) => `${s.platform}/${s.entity}`)).toEqual([
      'jackyun/sales-order',
      'jackyun/sales-channel',
      'wdt/stockout-order',
      'jushuitan/inventory-count',
      'xiaoman/sales-order',
    ]);
  });

  it('should give every platform its own port when the defaults are listed', () => {
    const ports = SOURCE_CONNECTORS.map((s) => s.httpPort);
    expect(new Set(ports).size).toBe(ports.length);
    expect(connectorSpecOf('wdt').httpPort).toBe(19402);
  });

  it("should default every platform's origin variable to its simulator when the endpoints are listed", () => {
    for (const spec of SOURCE_CONNECTORS) {
      const origin = spec.env[spec.endpoint.variable] as z.ZodType | undefined;
      expect(origin?.parse(undefined)).toBe(
        `http://127.0.0.1:${spec.endpoint.simulatorPort}`,
      );
      expect(origin?.description).toContain(
        `(prod ${spec.endpoint.production})`,
      );
    }
    const ports = SOURCE_CONNECTORS.map((s) => s.endpoint.simulatorPort);
    expect(new Set(ports).size).toBe(ports.length);
    expect(connectorSpecOf('wdt').endpoint).toEqual({
      variable: 'WDT_BASE_URL',
      production: 'https://api.wangdian.cn',
      simulatorPort: 18102,
    });
  });

  it('should refuse a spec whose endpoint names no variable of its own when the schema is built', () => {
    const stray = {
      ...acmeConnector,
      endpoint: { ...endpoint, variable: 'ACME_ORIGIN' },
    };
    expect(() => sourceConnectorConfigSchemaFor([stray])).toThrow(
      /acme: endpoint variable ACME_ORIGIN is not one of its variables/,
    );
  });

  it("should refuse a spec whose variable lacks the platform's prefix when the schema is built", () => {
    const stray = { ...acmeConnector, env: { BASE_URL: z.string() } };
    expect(() => sourceConnectorConfigSchemaFor([stray])).toThrow(
      /acme: variable BASE_URL must start with ACME_/,
    );
  });
});

describe('a fifth platform registered in a copy of the registry', () => {
  let server: Server;
  let url: string;
  const seen: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.url} ${req.headers.authorization}`);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ orders: [{ id: 'A-1' }, { id: 'A-2' }] }));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((done) => server.close(done));
  });

  it('should parse its variables with its defaults when CONNECTOR_ID names it', () => {
    // Act
    const config = loadConfig(schema, {
      CONNECTOR_ID: 'acme',
      ACME_API_TOKEN: 'acme-token-1',
    });

    // Assert
    expect(config.CONNECTOR_ID).toBe('acme');
    expect((config as Record<string, unknown>).ACME_BASE_URL).toBe(
      'http://127.0.0.1:18105',
    );
    expect(rateLimitOf(config, REGISTRY)).toBe('2/1s');
  });

  it('should stop at start naming its missing credential and its bad rate limit', () => {
    const load = (env: Record<string, string>) => () =>
      loadConfig(schema, { CONNECTOR_ID: 'acme', ...env });
    expect(load({})).toThrow(ConfigError);
    expect(load({})).toThrow(/ACME_API_TOKEN: required when CONNECTOR_ID=acme/);
    expect(
      load({ ACME_API_TOKEN: 'acme-token-1', ACME_RATE_LIMIT: 'fast' }),
    ).toThrow(/ACME_RATE_LIMIT/);
    expect(load({ ACME_API_TOKEN: 'acme-token-1', ACME_REGION: 'eu' })).toThrow(
      /ACME_REGION/,
    );
  });

  it("should build its client with the runtime's hooks when the factory is asked for CONNECTOR_ID", async () => {
    // Arrange
    const config = loadConfig(schema, {
      CONNECTOR_ID: 'acme',
      ACME_BASE_URL: url,
      ACME_API_TOKEN: 'acme-token-1',
      ACME_REGION: 'global',
    });
    const outcomes: RequestOutcome[] = [];
    const client = createConnectorClient(
      config,
      { afterRequest: (_endpoint, outcome) => outcomes.push(outcome) },
      REGISTRY,
    );

    // Act
    const page = await client.fetchPage({
      entity: 'sales-order',
      from: new Date(0),
      to: new Date(),
      params: {},
      page: null,
    });

    // Assert
    expect(page.records.map((r) => r.sourceId)).toEqual(['A-1', 'A-2']);
    expect(seen).toEqual(['/global/orders Bearer acme-token-1']);
    expect(outcomes).toEqual(['ok']);
  });

  it('should give its stream a raw topic, created with its dead-letter topic, when the registry is built', () => {
    const registry = sourceRegistry(REGISTRY);
    expect(registry.rawTopic('acme', 'sales-order')).toBe(
      'oms.acme.sales-order.raw.v1',
    );
    const names = registry.allTopics().map((t) => t.name);
    expect(names).toContain('oms.acme.sales-order.raw.v1');
    expect(names).toContain('oms.acme.sales-order.raw.v1.dlq');
    expect(registry.platforms).toEqual([
      'jackyun',
      'wdt',
      'jushuitan',
      'xiaoman',
      'acme',
    ]);
  });

  it('should leave the registered platforms as they were when the fifth is added', () => {
    const config = loadConfig(schema, {
      CONNECTOR_ID: 'jushuitan',
      JUSHUITAN_APP_KEY: 'k',
      JUSHUITAN_APP_SECRET: 's3cret',
      JUSHUITAN_ACCESS_TOKEN: 't0ken',
    });
    expect(rateLimitOf(config, REGISTRY)).toBe('5/1s,100/60s');
    expect(createConnectorClient(config, {}, REGISTRY).platform).toBe(
      'jushuitan',
    );
  });
});
