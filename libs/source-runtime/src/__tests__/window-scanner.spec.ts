import type { RawRecord } from '@kingbridge/contracts';
import { createLogger } from '@kingbridge/observability';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { AdaptiveRateLimiter } from '../rate-limiter';
import { CredentialChannel } from '../request-executor';
import type {
  PageQuery,
  SourceConnectorClient,
  SourcePage,
} from '../source-connector.port';
import type {
  RecordState,
  RecordStateInput,
  SourceStateStore,
} from '../source-state.repository';
import { createSourceMetrics } from '../source.metrics';
import { sourceStreamSchema } from '../stream-config.schema';
import { RunContext, WindowScanner } from '../window-scanner';

interface FakeRow {
  id: string;
  modified: number;
  version: number;
}

/** An OMS whose rows are sorted by modified time; `onPage` may modify rows mid-scan (page drift). */
class FakeOms implements SourceConnectorClient {
  readonly platform = 'jushuitan' as const;
  readonly entities = ['inventory-count' as const];
  requests = 0;
  onPage: ((pageIndex: number, oms: FakeOms) => void) | undefined;
  constructor(
    readonly rows: FakeRow[],
    private readonly pageSize: number,
    private readonly totalsOnFirstPageOnly = false,
  ) {}
  maxWindowMs(): number {
    return 7 * 24 * 3600_000;
  }
  touch(id: string, at: number): void {
    const row = this.rows.find((r) => r.id === id)!;
    row.modified = at;
    row.version += 1;
  }
  async fetchPage(q: PageQuery): Promise<SourcePage> {
    this.requests += 1;
    const index = q.page?.index ?? 0;
    const matching = this.rows
      .filter(
        (r) => r.modified >= q.from.getTime() && r.modified <= q.to.getTime(),
      )
      .sort((a, b) => a.modified - b.modified || a.id.localeCompare(b.id));
    const slice = matching.slice(
      index * this.pageSize,
      (index + 1) * this.pageSize,
    );
    const page: SourcePage = {
      records: slice.map((r) => ({
        sourceId: r.id,
        modifiedAt: new Date(r.modified).toISOString(),
        payload: { id: r.id, version: r.version },
      })),
      total:
        this.totalsOnFirstPageOnly && index > 0 ? undefined : matching.length,
      next:
        (index + 1) * this.pageSize < matching.length
          ? { index: index + 1 }
          : null,
      requestId: String(this.requests),
    };
    this.onPage?.(index, this);
    return page;
  }
}

class MemoryState implements Pick<
  SourceStateStore,
  'getRecordStates' | 'saveRecordStates'
> {
  readonly states = new Map<string, RecordState>();
  async getRecordStates(
    _stream: string,
    ids: readonly string[],
  ): Promise<Map<string, RecordState>> {
    return new Map(
      ids
        .filter((id) => this.states.has(id))
        .map((id) => [id, this.states.get(id)!]),
    );
  }
  async saveRecordStates(
    _stream: string,
    records: readonly RecordStateInput[],
  ): Promise<void> {
    for (const r of records)
      this.states.set(r.sourceId, {
        contentHash: r.contentHash,
        modifiedAt: new Date(r.modifiedAt),
      });
  }
}

const T0 = Date.parse('2026-01-01T00:00:00Z');
const stream = sourceStreamSchema.parse({
  id: 'jst.counts',
  platform: 'jushuitan',
  entity: 'inventory-count',
});
const window = { from: new Date(T0), to: new Date(T0 + 3600_000) };

function setup(oms: FakeOms) {
  const published: RawRecord[] = [];
  const state = new MemoryState();
  const metrics = createSourceMetrics(new Registry());
  const logger = createLogger('test', 'silent');
  const channel = new CredentialChannel(
    'jushuitan',
    new AdaptiveRateLimiter([{ limit: 1000, intervalMs: 1000 }]),
    metrics,
    logger,
  );
  const scanner = new WindowScanner(
    {
      client: oms,
      channel,
      state: state as unknown as SourceStateStore,
      publisher: {
        publish: async (_topic, records) => void published.push(...records),
      },
      metrics,
      logger,
    },
    { minSplitMs: 1000 },
  );
  return { scanner, published, state };
}

function rows(n: number): FakeRow[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `r${String(i).padStart(3, '0')}`,
    modified: T0 + 1000 * (i + 1),
    version: 1,
  }));
}

describe('WindowScanner', () => {
  it('should publish every record of the window when pages are stable', async () => {
    const oms = new FakeOms(rows(23), 5);
    const { scanner, published } = setup(oms);
    await scanner.scan(stream, window, new RunContext('run-1'));
    expect(new Set(published.map((r) => r.sourceId)).size).toBe(23);
    expect(published).toHaveLength(23);
  });

  it('should not lose a record when rows leave the window during the scan', async () => {
    const oms = new FakeOms(rows(23), 5);
    // After page 0 was served, two rows of page 0 are modified "now": they leave the window
    // and r005/r006 shift onto page 0, which was already read.
    oms.onPage = (index, o) => {
      if (index === 0 && o.requests === 1) {
        o.touch('r001', T0 + 7200_000);
        o.touch('r002', T0 + 7200_000);
      }
    };
    const { scanner, published } = setup(oms);
    await scanner.scan(stream, window, new RunContext('run-1'));
    const ids = new Set(published.map((r) => r.sourceId));
    for (const r of rows(23))
      if (r.id !== 'r001' && r.id !== 'r002') expect(ids.has(r.id)).toBe(true);
  });

  it('should not lose a record when a row moves to the end of the window and the total stays the same', async () => {
    const oms = new FakeOms(rows(23), 5);
    // r001 is modified to a time still inside the window: it moves to the last page, r005 shifts onto page 0.
    oms.onPage = (index, o) => {
      if (index === 0 && o.requests === 1) o.touch('r001', T0 + 3_500_000);
    };
    const { scanner, published } = setup(oms);
    await scanner.scan(stream, window, new RunContext('run-1'));
    const ids = new Set(published.map((r) => r.sourceId));
    expect(rows(23).every((r) => ids.has(r.id))).toBe(true);
  });

  it('should re-read the first page for the total when only page 0 reports it', async () => {
    const oms = new FakeOms(rows(12), 5, true);
    oms.onPage = (index, o) => {
      if (index === 1 && o.requests === 2) o.touch('r000', T0 + 7200_000);
    };
    const { scanner, published } = setup(oms);
    await scanner.scan(stream, window, new RunContext('run-1'));
    const ids = new Set(published.map((r) => r.sourceId));
    expect(
      [...rows(12)].filter((r) => r.id !== 'r000').every((r) => ids.has(r.id)),
    ).toBe(true);
  });

  it('should skip records whose content hash was already published when scanning again', async () => {
    const oms = new FakeOms(rows(8), 5);
    const { scanner, published } = setup(oms);
    await scanner.scan(stream, window, new RunContext('run-1'));
    oms.touch('r003', T0 + 4500);
    await scanner.scan(stream, window, new RunContext('run-2'));
    expect(published).toHaveLength(9);
    expect(published.at(-1)).toMatchObject({
      sourceId: 'r003',
      runId: 'run-2',
      payload: { version: 2 },
    });
  });

  it('should split the window when totals keep changing on every pass', async () => {
    const oms = new FakeOms(rows(30), 5);
    let t = T0 + 7200_000;
    // Every request of a multi-page window modifies a row that is still inside the window.
    oms.onPage = (_index, o) => {
      const victim = o.rows.find(
        (r) => r.modified <= T0 + 3600_000 && r.modified > T0 + 25_000,
      );
      if (victim && o.requests < 40) o.touch(victim.id, (t += 1000));
    };
    const { scanner, published } = setup(oms);
    await scanner.scan(stream, window, new RunContext('run-1'));
    const ids = new Set(published.map((r) => r.sourceId));
    // Rows never modified must all be there.
    for (const r of oms.rows.filter((r) => r.version === 1))
      expect(ids.has(r.id)).toBe(true);
  });

  it('should read each exit query of the stream on the same window after the main query', async () => {
    // Arrange: the OMS answers `status=5` with the cancelled rows only
    const oms = new FakeOms(rows(7), 5);
    const asked: Array<Record<string, unknown>> = [];
    const fetchMain = oms.fetchPage.bind(oms);
    oms.fetchPage = async (q) => {
      asked.push({ ...q.params, from: q.from.getTime(), to: q.to.getTime() });
      const page = await fetchMain(q);
      const cancelled = q.params['status'] === '5';
      return {
        ...page,
        records: page.records
          .filter((r) => (r.sourceId === 'r002') === cancelled)
          .map((r) => ({ ...r, payload: { ...r.payload, cancelled } })),
        total: undefined,
      };
    };
    const { scanner, published } = setup(oms);
    const exits = sourceStreamSchema.parse({
      ...stream,
      params: { status: '95', shop: 'A' },
      exitQueries: [{ status: '5' }],
    });

    // Act
    await scanner.scan(exits, window, new RunContext('run-1'));

    // Assert
    expect(asked.map((a) => [a['status'], a['shop']])).toEqual([
      ['95', 'A'],
      ['95', 'A'],
      ['5', 'A'],
      ['5', 'A'],
    ]);
    expect(new Set(asked.map((a) => `${a['from']}-${a['to']}`)).size).toBe(1);
    expect(published.map((r) => r.sourceId)).toEqual([
      'r000',
      'r001',
      'r003',
      'r004',
      'r005',
      'r006',
      'r002',
    ]);
    expect(published.at(-1)?.payload).toMatchObject({ cancelled: true });
  });
});
