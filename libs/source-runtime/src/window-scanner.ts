import { type RawRecord } from '@kingbridge/contracts';
import { rawTopic } from '@kingbridge/source-registry';
import { contentHash } from '@kingbridge/pipeline-core';
import type { Logger } from '@kingbridge/observability';
import type { RawRecordPublisher } from './raw-record.publisher';
import type { CredentialChannel } from './request-executor';
import { PageDriftError, wantsNarrowerWindow } from './source-error.util';
import type {
  PageToken,
  SourceConnectorClient,
  SourceRecord,
} from './source-connector.port';
import type { SourceStateStore } from './source-state.repository';
import type { SourceMetrics } from './source.metrics';
import type { SourceStream } from './stream-config.schema';
import { describeWindow, type TimeWindow } from './time-window.util';

/** One run (incremental, remediation or backfill): its id and what it already sent. */
export class RunContext {
  /** sourceId -> hash and modified time of the newest version this run handled. */
  readonly seen = new Map<string, { hash: string; modifiedAt: number }>();
  published = 0;
  deduplicated = 0;
  constructor(
    readonly runId: string,
    /** Skip the Postgres dedup (backfill --force): republish every record read. */
    readonly force = false,
  ) {}
}

export interface ScanOptions {
  /** Full passes over a window before it is split (default 3). */
  readonly maxPasses?: number;
  /** Windows are not split below this length (default 2 s). */
  readonly minSplitMs?: number;
  readonly maxSplitDepth?: number;
  /** Topic name prefix (tests); the raw topic names come from libs/contracts. */
  readonly topicPrefix?: string;
}

export interface ScannerDeps {
  readonly client: SourceConnectorClient;
  readonly channel: CredentialChannel;
  readonly state: SourceStateStore;
  readonly publisher: RawRecordPublisher;
  readonly metrics: SourceMetrics;
  readonly logger: Logger;
  readonly now?: () => Date;
}

/**
 * Reads every page of a window and publishes each record (Kafka-acked) before
 * returning. Page drift strategy (records modified during the scan leave the
 * window and shift later rows onto pages already read):
 * 1. note the total the platform reports at the first page and again at the
 *    end of the pass (from the last page, or by re-reading the first page when
 *    the platform reports totals only there, like WDT);
 * 2. the pass is complete when the total did not change, the pass read at
 *    least `total` rows, and no record was read twice with different content
 *    (modified during the scan and moved within the window: the total stays
 *    the same but rows shift); otherwise the window is re-scanned (records
 *    already sent in this run are skipped by id + content hash);
 * 3. after `maxPasses` unstable passes the window is halved and each half is
 *    scanned the same way (a one-page window is atomic, so this terminates);
 * 4. a scroll cursor lost mid-stream (`narrowWindow` errors) also halves it.
 * Records that left the window because they were modified carry a newer
 * modified time and are read by the next window or run.
 */
export class WindowScanner {
  private readonly now: () => Date;

  constructor(
    private readonly deps: ScannerDeps,
    private readonly options: ScanOptions = {},
  ) {
    this.now = deps.now ?? (() => new Date());
  }

  topicOf(stream: SourceStream): string {
    return `${this.options.topicPrefix ?? ''}${rawTopic(stream.platform, stream.entity)}`;
  }

  /** Every query of the stream over `window`: its params, then each exit query (`stream.exitQueries`), in order. */
  async scan(
    stream: SourceStream,
    window: TimeWindow,
    run: RunContext,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.scanQuery(stream, window, run, signal);
    for (const exit of stream.exitQueries ?? []) {
      if (signal?.aborted) return;
      await this.scanQuery(
        { ...stream, params: { ...stream.params, ...exit } },
        window,
        run,
        signal,
      );
    }
  }

  private async scanQuery(
    stream: SourceStream,
    window: TimeWindow,
    run: RunContext,
    signal?: AbortSignal,
    depth = 0,
  ): Promise<void> {
    const maxPasses = this.options.maxPasses ?? 3;
    for (let pass = 1; pass <= maxPasses; pass++) {
      let complete: boolean;
      try {
        complete = await this.scanPass(stream, window, run, signal);
      } catch (err) {
        if (wantsNarrowerWindow(err) && this.canSplit(window, depth))
          return this.scanHalves(stream, window, run, signal, depth);
        throw err;
      }
      if (signal?.aborted) return;
      if (complete) return;
      this.deps.logger.warn(
        {
          connector: stream.platform,
          stream: stream.id,
          window: describeWindow(window),
          pass,
          runId: run.runId,
        },
        'page drift: records moved during the scan; re-scanning the window',
      );
    }
    if (this.canSplit(window, depth))
      return this.scanHalves(stream, window, run, signal, depth);
    throw new PageDriftError(
      `window ${describeWindow(window)} kept drifting after ${maxPasses} passes`,
    );
  }

  private canSplit(window: TimeWindow, depth: number): boolean {
    // A full scan has no time range to halve.
    return (
      window.full !== true &&
      depth < (this.options.maxSplitDepth ?? 8) &&
      window.to.getTime() - window.from.getTime() >=
        2 * (this.options.minSplitMs ?? 2000)
    );
  }

  private async scanHalves(
    stream: SourceStream,
    window: TimeWindow,
    run: RunContext,
    signal: AbortSignal | undefined,
    depth: number,
  ): Promise<void> {
    const mid = new Date(
      Math.floor((window.from.getTime() + window.to.getTime()) / 2000) * 1000,
    );
    this.deps.logger.info(
      {
        connector: stream.platform,
        stream: stream.id,
        window: describeWindow(window),
        runId: run.runId,
      },
      'splitting the window in halves',
    );
    await this.scanQuery(
      stream,
      { from: window.from, to: mid },
      run,
      signal,
      depth + 1,
    );
    if (signal?.aborted) return;
    await this.scanQuery(
      stream,
      { from: mid, to: window.to },
      run,
      signal,
      depth + 1,
    );
  }

  /** One pass over every page; true when the pass is known complete. */
  private async scanPass(
    stream: SourceStream,
    window: TimeWindow,
    run: RunContext,
    signal?: AbortSignal,
  ): Promise<boolean> {
    let rows = 0;
    let token: PageToken | null = null;
    let pages = 0;
    let firstTotal: number | undefined;
    let lastTotal: number | undefined;
    let lastTotalPage = 0;
    // id -> content hash as first read in this pass: a record read again with other content was
    // modified during the scan and may have moved within the window (the total stays the same).
    const readInPass = new Map<string, string>();
    let movedWithinWindow = false;
    const note = (records: readonly SourceRecord[]): void => {
      for (const r of records) {
        const hash = contentHash(r.payload);
        const before = readInPass.get(r.sourceId);
        if (before !== undefined && before !== hash) movedWithinWindow = true;
        readInPass.set(r.sourceId, hash);
      }
    };
    do {
      const page = await this.fetch(stream, window, token, signal);
      pages += 1;
      if (pages === 1) firstTotal = page.total;
      if (page.total !== undefined) {
        lastTotal = page.total;
        lastTotalPage = pages;
      }
      rows += page.records.length;
      note(page.records);
      await this.publishPage(stream, page.records, run);
      if (signal?.aborted) return false;
      token = page.next;
      if (pages > 100_000)
        throw new PageDriftError(
          `window ${describeWindow(window)}: more than 100000 pages`,
        );
    } while (token);

    if (movedWithinWindow) return false;
    if (firstTotal === undefined) return true;
    let endTotal = lastTotal;
    if (pages > 1 && lastTotalPage === 1) {
      const first = await this.fetch(stream, window, null, signal);
      note(first.records);
      await this.publishPage(stream, first.records, run);
      endTotal = first.total;
    }
    // Rows, not distinct ids: a platform may deliver a record on two pages and count it twice.
    return !movedWithinWindow && endTotal === firstTotal && rows >= firstTotal;
  }

  private fetch(
    stream: SourceStream,
    window: TimeWindow,
    page: PageToken | null,
    signal?: AbortSignal,
  ) {
    return this.deps.channel.execute(
      () =>
        this.deps.client.fetchPage(
          {
            entity: stream.entity,
            from: window.from,
            to: window.to,
            params: stream.params,
            pageSize: stream.pageSize,
            page,
            ...(stream.timeParams ? { timeParams: stream.timeParams } : {}),
            ...(window.full ? { fullScan: true } : {}),
          },
          signal,
        ),
      {
        connector: stream.platform,
        stream: stream.id,
        window: describeWindow(window),
        page: page?.index ?? 0,
      },
      signal,
    );
  }

  /** Dedups (this run, then Postgres), publishes, waits for the ack, then records what was sent. */
  private async publishPage(
    stream: SourceStream,
    records: readonly SourceRecord[],
    run: RunContext,
  ): Promise<void> {
    if (records.length === 0) return;
    const labels = { connector: stream.platform, stream: stream.id };
    // Newest version per id within the page.
    const candidates = new Map<
      string,
      { record: SourceRecord; hash: string; modifiedAt: number }
    >();
    for (const record of records) {
      const modifiedAt = Date.parse(record.modifiedAt);
      const prev = candidates.get(record.sourceId);
      if (prev && prev.modifiedAt > modifiedAt) continue;
      candidates.set(record.sourceId, {
        record,
        hash: contentHash(record.payload),
        modifiedAt,
      });
    }
    let fresh = [...candidates.values()].filter((c) => {
      const seen = run.seen.get(c.record.sourceId);
      return !seen || (seen.hash !== c.hash && seen.modifiedAt <= c.modifiedAt);
    });
    if (!run.force && fresh.length > 0) {
      const stored = await this.deps.state.getRecordStates(
        stream.id,
        fresh.map((c) => c.record.sourceId),
      );
      fresh = fresh.filter((c) => {
        const s = stored.get(c.record.sourceId);
        return (
          !s ||
          (s.contentHash !== c.hash && s.modifiedAt.getTime() <= c.modifiedAt)
        );
      });
    }
    const skipped = records.length - fresh.length;
    if (fresh.length > 0) {
      const fetchedAt = this.now().toISOString();
      const raw: RawRecord[] = fresh.map((c) => ({
        schemaVersion: 1,
        platform: stream.platform,
        entity: stream.entity,
        stream: stream.id,
        sourceId: c.record.sourceId,
        modifiedAt: c.record.modifiedAt,
        contentHash: c.hash,
        payload: c.record.payload,
        runId: run.runId,
        fetchedAt,
      }));
      await this.deps.publisher.publish(this.topicOf(stream), raw);
      await this.deps.state.saveRecordStates(
        stream.id,
        fresh.map((c) => ({
          sourceId: c.record.sourceId,
          contentHash: c.hash,
          modifiedAt: c.record.modifiedAt,
        })),
      );
      this.deps.metrics.recordsPublished.inc(labels, fresh.length);
      run.published += fresh.length;
      this.deps.logger.debug(
        {
          ...labels,
          runId: run.runId,
          recordIds: fresh.map((c) => c.record.sourceId),
        },
        'published',
      );
    }
    for (const c of candidates.values()) {
      const seen = run.seen.get(c.record.sourceId);
      if (!seen || seen.modifiedAt <= c.modifiedAt)
        run.seen.set(c.record.sourceId, {
          hash: c.hash,
          modifiedAt: c.modifiedAt,
        });
    }
    if (skipped > 0) {
      this.deps.metrics.recordsDeduplicated.inc(labels, skipped);
      run.deduplicated += skipped;
    }
  }
}
