import { describe, expect, it } from 'vitest';
import { platformLimits } from '../platform-limits.util';
import type { PageQuery, SourcePage } from '../source-connector.port';
import { type EntityPageRequest, SourceClientBase } from '../source-api.util';
import { SourceRequestError } from '../source-request.error';

class DemoRequestError extends SourceRequestError {}

/** A client that answers each page with the request it was handed. */
class DemoClient extends SourceClientBase {
  override readonly platform = 'demo';
  protected override readonly paging = {
    'sales-order': { from: 'start', to: 'end', pageSize: 20 },
    'sales-channel': { from: 'since', to: 'until', fullScan: true },
  };
  readonly handed: EntityPageRequest[] = [];

  constructor() {
    super(
      DemoRequestError,
      { baseUrl: 'http://demo.invalid' },
      platformLimits({ windowDays: 7, pageSize: 50 }),
      1000,
    );
  }

  protected fetchEntityPage(req: EntityPageRequest): Promise<SourcePage> {
    this.handed.push(req);
    return Promise.resolve({
      records: [],
      total: 0,
      next: null,
      requestId: 'r',
    });
  }
}

const query: PageQuery = {
  entity: 'sales-order',
  from: new Date('2026-12-01T00:00:00Z'),
  to: new Date('2026-12-01T01:00:00Z'),
  params: {},
  page: null,
};

describe('SourceClientBase', () => {
  it('should list the entities of its paging and the window of its limits', () => {
    const client = new DemoClient();
    expect(client.entities).toEqual(['sales-order', 'sales-channel']);
    expect(client.maxWindowMs('sales-order')).toBe(7 * 86_400_000);
    expect([
      client.supportsFullScan('sales-order'),
      client.supportsFullScan('sales-channel'),
    ]).toEqual([false, true]);
  });

  it("should hand the client the window under the entity's params in Beijing time, the page size within the maximum or the entity's default", async () => {
    const client = new DemoClient();
    await client.fetchPage({ ...query, pageSize: 500, page: { index: 2 } });
    await client.fetchPage({ ...query, entity: 'sales-channel' });
    await client.fetchPage(query);
    expect(
      client.handed.map(({ size, index, window }) => ({ size, index, window })),
    ).toEqual([
      {
        size: 50,
        index: 2,
        window: { start: '2026-12-01 08:00:00', end: '2026-12-01 09:00:00' },
      },
      {
        size: 50,
        index: 0,
        window: { since: '2026-12-01 08:00:00', until: '2026-12-01 09:00:00' },
      },
      {
        size: 20,
        index: 0,
        window: { start: '2026-12-01 08:00:00', end: '2026-12-01 09:00:00' },
      },
    ]);
  });

  it("should put the window under the plan's timeParams when the plan names them", async () => {
    const client = new DemoClient();
    await client.fetchPage({ ...query, timeParams: { from: 'a', to: 'b' } });
    expect(Object.keys(client.handed[0]?.window ?? {})).toEqual(['a', 'b']);
  });

  it('should refuse an entity outside its paging when asked for a page', async () => {
    const client = new DemoClient();
    await expect(
      client.fetchPage({ ...query, entity: 'constructor' }),
    ).rejects.toThrow('demo: unsupported entity constructor');
    expect(client.handed).toEqual([]);
  });
});
