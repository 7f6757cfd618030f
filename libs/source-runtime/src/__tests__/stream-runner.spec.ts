import type { RawRecord } from '@kingbridge/contracts';
import { createLogger } from '@kingbridge/observability';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { AdaptiveRateLimiter } from '../rate-limiter';
import { CredentialChannel, DEFAULT_REQUEST_POLICY } from '../request-executor';
import type {
  PageQuery,
  SourceConnectorClient,
  SourcePage,
} from '../source-connector.port';
import type {
  BackfillJob,
  RecordState,
  RecordStateInput,
  SourceStateStore,
  StreamCheckpoint,
} from '../source-state.repository';
import { createSourceMetrics } from '../source.metrics';
import { sourceStreamSchema } from '../stream-config.schema';
import { StreamRunner, type StreamTiming } from '../stream-runner';

class MemoryStore implements SourceStateStore {
  checkpoints = new Map<string, StreamCheckpoint>();
  errors: string[] = [];
  states = new Map<string, RecordState>();
  jobs = new Map<string, BackfillJob>();
  async getCheckpoint(id: string) {
    return this.checkpoints.get(id);
  }
  async pinStart(stream: { id: string }, at: Date) {
    const prev = this.checkpoints.get(stream.id);
    if (prev && prev.checkpointAt.getTime() > 0) return;
    this.checkpoints.set(stream.id, {
      streamId: stream.id,
      checkpointAt: at,
      lastRemediationAt: prev?.lastRemediationAt,
    });
  }
  async advanceCheckpoint(stream: { id: string }, at: Date) {
    const prev = this.checkpoints.get(stream.id);
    const next = prev && prev.checkpointAt > at ? prev.checkpointAt : at;
    this.checkpoints.set(stream.id, {
      streamId: stream.id,
      checkpointAt: next,
      lastRemediationAt: prev?.lastRemediationAt,
    });
    return next;
  }
  async recordError(_s: unknown, message: string) {
    this.errors.push(message);
  }
  async markRemediation(stream: { id: string }, at: Date) {
    const prev = this.checkpoints.get(stream.id);
    this.checkpoints.set(stream.id, {
      streamId: stream.id,
      checkpointAt: prev?.checkpointAt ?? new Date(0),
      lastRemediationAt: at,
    });
  }
  async getRecordStates(_id: string, ids: readonly string[]) {
    return new Map(
      ids
        .filter((i) => this.states.has(i))
        .map((i) => [i, this.states.get(i)!]),
    );
  }
  async saveRecordStates(_id: string, records: readonly RecordStateInput[]) {
    for (const r of records)
      this.states.set(r.sourceId, {
        contentHash: r.contentHash,
        modifiedAt: new Date(r.modifiedAt),
      });
  }
  async getBackfillJob(id: string) {
    return this.jobs.get(id);
  }
  async createBackfillJob(
    job: Omit<
      BackfillJob,
      'status' | 'windowsDone' | 'recordsPublished' | 'nextFrom'
    >,
  ) {
    this.jobs.set(job.jobId, {
      ...job,
      nextFrom: job.rangeFrom,
      windowsDone: 0,
      recordsPublished: 0,
      status: 'running',
    });
  }
  async advanceBackfillJob(
    id: string,
    nextFrom: Date,
    added: number,
    done: boolean,
  ) {
    const j = this.jobs.get(id)!;
    this.jobs.set(id, {
      ...j,
      nextFrom,
      windowsDone: j.windowsDone + 1,
      recordsPublished: j.recordsPublished + added,
      status: done ? 'done' : 'running',
    });
  }
}

class ScriptedClient implements SourceConnectorClient {
  readonly platform = 'wdt' as const;
  readonly entities = ['stockout-order' as const];
  calls = 0;
  constructor(
    private readonly answer: (q: PageQuery, call: number) => SourcePage,
  ) {}
  maxWindowMs(): number {
    return 86_400_000;
  }
  async fetchPage(q: PageQuery): Promise<SourcePage> {
    this.calls += 1;
    return this.answer(q, this.calls);
  }
}

function failure(kind: string, fieldPath?: string): Error {
  return Object.assign(new Error(`${kind} failure`), {
    kind,
    errorClass:
      kind === 'invalid_response'
        ? 'bad_response'
        : kind === 'auth'
          ? 'auth'
          : 'network',
    requestId: 'req-1',
    fieldPath,
  });
}

const NOW = Date.parse('2026-05-01T12:00:00Z');
const stream = sourceStreamSchema.parse({
  id: 'wdt.out',
  platform: 'wdt',
  entity: 'stockout-order',
  startFrom: '2026-04-29T12:00:00Z',
});

function setup(
  client: SourceConnectorClient,
  opts: {
    store?: MemoryStore;
    nowMs?: number;
    stream?: typeof stream;
    timing?: Partial<StreamTiming>;
  } = {},
) {
  const store = opts.store ?? new MemoryStore();
  const registry = new Registry();
  const metrics = createSourceMetrics(registry);
  const logger = createLogger('test', 'silent');
  const published: RawRecord[] = [];
  const channel = new CredentialChannel(
    'wdt',
    new AdaptiveRateLimiter([{ limit: 1000, intervalMs: 1000 }]),
    metrics,
    logger,
    {
      ...DEFAULT_REQUEST_POLICY,
      transient: { ...DEFAULT_REQUEST_POLICY.transient, initialMs: 1 },
    },
  );
  const runner = new StreamRunner(
    opts.stream ?? stream,
    {
      client,
      channel,
      state: store,
      publisher: { publish: async (_t, r) => void published.push(...r) },
      metrics,
      logger,
      now: () => new Date(opts.nowMs ?? NOW),
    },
    {
      overlapMs: 0,
      safetyLagMs: 0,
      initialLookbackMs: 86_400_000,
      cronUtcOffsetMinutes: 480,
      ...opts.timing,
    },
  );
  const metric = async (name: string) =>
    (await registry.getMetricsAsJSON())
      .find((m) => m.name === name)
      ?.values.reduce((s, v) => s + v.value, 0) ?? 0;
  return { runner, store, published, metric };
}

const page = (ids: string[]): SourcePage => ({
  records: ids.map((id) => ({
    sourceId: id,
    modifiedAt: '2026-04-30T10:00:00+08:00',
    payload: { id },
  })),
  total: ids.length,
  next: null,
  requestId: 'r',
});

describe('StreamRunner', () => {
  it('should advance the checkpoint window by window when every page is published', async () => {
    const { runner, store, published } = setup(
      new ScriptedClient(() => page(['a', 'b'])),
    );
    expect(await runner.runIncremental()).toMatchObject({
      status: 'ok',
      windows: 2,
    });
    expect(store.checkpoints.get('wdt.out')?.checkpointAt.toISOString()).toBe(
      '2026-05-01T12:00:00.000Z',
    );
    expect(published.map((r) => r.sourceId)).toEqual(['a', 'b']);
  });

  it('should fail the window without moving the checkpoint when a response is invalid', async () => {
    const client = new ScriptedClient((_q, call) => {
      if (call === 2)
        throw failure('invalid_response', 'stockout_list[3].modified');
      return page(['a']);
    });
    const { runner, store, metric } = setup(client);
    const outcome = await runner.runIncremental();
    expect(outcome).toMatchObject({
      status: 'failed',
      errorClass: 'bad_response',
    });
    // First window done, second failed: the checkpoint stops at the end of the first.
    expect(store.checkpoints.get('wdt.out')?.checkpointAt.toISOString()).toBe(
      '2026-04-30T12:00:00.000Z',
    );
    expect(await metric('kingbridge_source_window_failures_total')).toBe(1);
    expect(store.errors[0]).toContain('invalid_response failure');
  });

  it('should resume from the first start when restarted before its first window was done', async () => {
    // Arrange: a stream without startFrom starts a lookback (1 day) before its first run.
    const fresh = sourceStreamSchema.parse({
      id: 'wdt.fresh',
      platform: 'wdt',
      entity: 'stockout-order',
    });
    const down = new ScriptedClient(() => {
      throw failure('transient');
    });
    const first = setup(down, { stream: fresh });
    expect((await first.runner.runIncremental()).status).toBe('failed');
    const queries: PageQuery[] = [];
    const up = new ScriptedClient((q) => {
      queries.push(q);
      return page([]);
    });

    // Act: the process comes back two hours later.
    const second = setup(up, {
      store: first.store,
      stream: fresh,
      nowMs: NOW + 2 * 3_600_000,
    });
    await second.runner.runIncremental();

    // Assert: the first window starts where the first run would have, not two hours later.
    expect(queries[0]?.from.toISOString()).toBe(
      new Date(NOW - 86_400_000).toISOString(),
    );
  });

  it('should retry a transient failure 3 times in total and then fail the window', async () => {
    const client = new ScriptedClient(() => {
      throw failure('transient');
    });
    const { runner, metric } = setup(client);
    expect((await runner.runIncremental()).status).toBe('failed');
    expect(client.calls).toBe(3);
    expect(await metric('kingbridge_source_retries_total')).toBe(2);
  });

  it('should stop the stream without further requests when credentials are refused', async () => {
    const client = new ScriptedClient(() => {
      throw failure('auth');
    });
    const { runner, metric } = setup(client);
    expect((await runner.runIncremental()).status).toBe('stopped');
    expect((await runner.runIncremental()).status).toBe('stopped');
    expect(client.calls).toBe(1);
    expect(await metric('kingbridge_source_stream_stopped')).toBe(1);
  });

  it('should read the remediation cron in the IANA zone when one is given, else in Beijing time', async () => {
    const client = () => new ScriptedClient(() => page([]));
    const at = async (timing: Partial<StreamTiming>) =>
      (
        await setup(client(), { timing }).runner.nextRemediationAt(
          new Date(NOW),
        )
      ).toISOString();
    expect(await at({ cronTimeZone: 'UTC' })).toBe('2026-05-02T00:00:00.000Z');
    expect(await at({ cronTimeZone: 'Asia/Shanghai' })).toBe(
      '2026-05-01T16:00:00.000Z',
    );
    expect(await at({ cronUtcOffsetMinutes: undefined })).toBe(
      '2026-05-01T16:00:00.000Z',
    );
  });

  it('should schedule the next remediation after the last one when the cron is daily', async () => {
    const { runner, store } = setup(new ScriptedClient(() => page([])));
    expect((await runner.nextRemediationAt(new Date(NOW))).toISOString()).toBe(
      '2026-05-01T16:00:00.000Z',
    );
    await store.markRemediation(stream, new Date('2026-04-28T16:00:00Z'));
    // Missed while down: due at once (the next occurrence after the last run is in the past).
    expect((await runner.nextRemediationAt(new Date(NOW))).toISOString()).toBe(
      '2026-04-29T16:00:00.000Z',
    );
  });
});
