import { randomUUID } from 'node:crypto';
import { sleep } from '@kingbridge/pipeline-core';
import type { Logger } from '@kingbridge/observability';
import { type CronSchedule, parseCron } from './cron.util';
import {
  errorClassOf,
  errorLogFields,
  sourceErrorKind,
} from './source-error.util';
import { initialSyncOf, type SourceStream } from './stream-config.schema';
import type { StreamLock } from './stream-lock';
import {
  describeWindow,
  floorToSecond,
  splitWindows,
  type TimeWindow,
} from './time-window.util';
import { RunContext, type ScannerDeps, WindowScanner } from './window-scanner';

export interface StreamTiming {
  /** Re-read this much before the checkpoint on each run (late writes at the source). */
  readonly overlapMs: number;
  /** Query up to `now - safetyLag` only (records still being written). */
  readonly safetyLagMs: number;
  /** Where a stream without checkpoint (and without `startFrom` or `initialSyncFrom`) starts: now minus this. */
  readonly initialLookbackMs: number;
  /** Where a stream without checkpoint (and without its own `startFrom`) starts, epoch ms (INITIAL_SYNC_FROM). */
  readonly initialSyncFromMs?: number | undefined;
  /** Cron timezone offset, minutes east of UTC (Asia/Shanghai = 480). */
  readonly cronUtcOffsetMinutes?: number | undefined;
  /** IANA time zone of the crons (wins over the offset); Asia/Shanghai when neither is given. */
  readonly cronTimeZone?: string | undefined;
}

export type RunOutcome =
  | {
      readonly status: 'ok';
      readonly windows: number;
      readonly published: number;
      readonly deduplicated: number;
    }
  | {
      readonly status: 'failed';
      readonly window: TimeWindow;
      readonly errorClass: string;
    }
  | { readonly status: 'stopped'; readonly reason: string }
  | { readonly status: 'aborted' };

export interface BackfillProgress {
  readonly windowsDone: number;
  readonly windowsTotal: number;
  readonly records: number;
}

/**
 * Runs one stream: incremental runs from the checkpoint, remediation scans
 * of the last N days, and backfills. The checkpoint advances only after
 * every record of a window was acknowledged by Kafka. Invalid credentials stop
 * the stream (gauge `kingbridge_source_stream_stopped` = 1) until restart.
 */
export class StreamRunner {
  readonly scanner: WindowScanner;
  private stoppedReason: string | undefined;
  private readonly cron: CronSchedule;
  private readonly now: () => Date;

  constructor(
    readonly stream: SourceStream,
    private readonly deps: ScannerDeps,
    private readonly timing: StreamTiming,
    scanner?: WindowScanner,
  ) {
    this.scanner = scanner ?? new WindowScanner(deps);
    this.cron = parseCron(
      stream.remediationCron,
      timing.cronTimeZone ?? timing.cronUtcOffsetMinutes,
    );
    this.now = deps.now ?? (() => new Date());
    this.deps.metrics.streamStopped.set(this.labels(), 0);
  }

  get stopped(): string | undefined {
    return this.stoppedReason;
  }

  private labels() {
    return { connector: this.stream.platform, stream: this.stream.id };
  }

  private maxWindowMs(): number {
    const platformMax = this.deps.client.maxWindowMs(this.stream.entity);
    const cap = this.stream.maxWindowMinutes
      ? this.stream.maxWindowMinutes * 60_000
      : platformMax;
    return Math.min(platformMax, cap);
  }

  /** One incremental run: checkpoint − overlap .. now − lag, window by window. */
  async runIncremental(signal?: AbortSignal): Promise<RunOutcome> {
    if (this.stoppedReason)
      return { status: 'stopped', reason: this.stoppedReason };
    const now = this.now().getTime();
    const checkpoint = await this.deps.state.getCheckpoint(this.stream.id);
    const fresh = !(checkpoint && checkpoint.checkpointAt.getTime() > 0);
    if (fresh && this.fullScanFirst()) return this.runFullScan(now, signal);
    const start = !fresh
      ? checkpoint.checkpointAt.getTime()
      : this.stream.startFrom
        ? Date.parse(this.stream.startFrom)
        : (this.timing.initialSyncFromMs ??
          now - this.timing.initialLookbackMs);
    if (!fresh) {
      this.deps.metrics.checkpointTimestamp.set(
        this.labels(),
        checkpoint.checkpointAt.getTime() / 1000,
      );
    } else {
      await this.deps.state.pinStart(this.stream, new Date(start));
    }
    const from = floorToSecond(start - this.timing.overlapMs);
    const to = floorToSecond(now - this.timing.safetyLagMs);
    const run = new RunContext(`${this.stream.id}:incremental:${randomUUID()}`);
    return this.runWindows(
      splitWindows(from, to, this.maxWindowMs()),
      run,
      signal,
      async (w) => {
        const saved = await this.deps.state.advanceCheckpoint(
          this.stream,
          w.to,
          run.runId,
        );
        this.deps.metrics.checkpointTimestamp.set(
          this.labels(),
          saved.getTime() / 1000,
        );
      },
    );
  }

  /** A master-data stream's first sync lists every record, when the platform can (else it starts windowed). */
  private fullScanFirst(): boolean {
    return (
      initialSyncOf(this.stream) === 'full' &&
      this.deps.client.supportsFullScan?.(this.stream.entity) === true
    );
  }

  /**
   * First sync of a master-data stream: every record, whatever its modified time, then the checkpoint moves to
   * the scan's end and the stream goes incremental. Nothing is pinned before it succeeds, so a failed full
   * scan is simply run again.
   */
  private async runFullScan(
    now: number,
    signal?: AbortSignal,
  ): Promise<RunOutcome> {
    const to = floorToSecond(now - this.timing.safetyLagMs);
    const window: TimeWindow = { from: new Date(0), to, full: true };
    const run = new RunContext(`${this.stream.id}:full-scan:${randomUUID()}`);
    this.deps.logger.info(
      { ...this.labels(), runId: run.runId },
      'first sync: full scan of every record',
    );
    const outcome = await this.runWindows([window], run, signal, async () => {
      const saved = await this.deps.state.advanceCheckpoint(
        this.stream,
        to,
        run.runId,
      );
      this.deps.metrics.checkpointTimestamp.set(
        this.labels(),
        saved.getTime() / 1000,
      );
    });
    if (outcome.status === 'ok')
      this.deps.logger.info(
        { ...this.labels(), runId: run.runId, published: run.published },
        'full scan done; incremental from now on',
      );
    return outcome;
  }

  /** Re-queries the last `remediationDays` and republishes only records whose content hash changed. */
  async runRemediation(signal?: AbortSignal): Promise<RunOutcome> {
    if (this.stoppedReason)
      return { status: 'stopped', reason: this.stoppedReason };
    const now = this.now();
    const to = floorToSecond(now.getTime() - this.timing.safetyLagMs);
    const from = floorToSecond(
      now.getTime() - this.stream.remediationDays * 24 * 3600_000,
    );
    const run = new RunContext(`${this.stream.id}:remediation:${randomUUID()}`);
    this.deps.logger.info(
      {
        ...this.labels(),
        runId: run.runId,
        from: from.toISOString(),
        to: to.toISOString(),
      },
      'remediation scan started',
    );
    const outcome = await this.runWindows(
      splitWindows(from, to, this.maxWindowMs()),
      run,
      signal,
      async () => undefined,
    );
    if (outcome.status === 'ok') {
      await this.deps.state.markRemediation(this.stream, now);
      this.deps.logger.info(
        {
          ...this.labels(),
          runId: run.runId,
          published: run.published,
          unchanged: run.deduplicated,
        },
        'remediation scan done',
      );
    }
    return outcome;
  }

  /** When the next remediation is due (catching up a run missed while the service was down). */
  async nextRemediationAt(serviceStartedAt: Date): Promise<Date> {
    const checkpoint = await this.deps.state.getCheckpoint(this.stream.id);
    const last = checkpoint?.lastRemediationAt;
    if (!last) return this.cron.next(serviceStartedAt);
    return this.cron.next(last);
  }

  /**
   * Backfills `[from, to]`, resumable: progress is kept in Postgres under a
   * job id derived from stream and range, so re-running the same command
   * continues after the last completed window.
   */
  async runBackfill(
    range: TimeWindow,
    options: { force?: boolean; onProgress?: (p: BackfillProgress) => void },
    signal?: AbortSignal,
  ): Promise<RunOutcome & { jobId: string }> {
    const jobId = `${this.stream.id}:${range.from.toISOString()}:${range.to.toISOString()}`;
    const all = splitWindows(range.from, range.to, this.maxWindowMs());
    let job = await this.deps.state.getBackfillJob(jobId);
    if (!job) {
      await this.deps.state.createBackfillJob({
        jobId,
        streamId: this.stream.id,
        rangeFrom: range.from,
        rangeTo: range.to,
        windowsTotal: all.length,
      });
      job = await this.deps.state.getBackfillJob(jobId);
    }
    if (!job) throw new Error(`backfill job ${jobId} could not be created`);
    const remaining = all.filter(
      (w) => w.to.getTime() > job.nextFrom.getTime(),
    );
    let done = all.length - remaining.length;
    let records = job.recordsPublished;
    options.onProgress?.({
      windowsDone: done,
      windowsTotal: all.length,
      records,
    });
    const run = new RunContext(
      `${this.stream.id}:backfill:${randomUUID()}`,
      options.force ?? false,
    );
    let before = 0;
    const outcome = await this.runWindows(remaining, run, signal, async (w) => {
      const added = run.published - before;
      before = run.published;
      done += 1;
      records += added;
      await this.deps.state.advanceBackfillJob(
        jobId,
        w.to,
        added,
        done === all.length,
      );
      options.onProgress?.({
        windowsDone: done,
        windowsTotal: all.length,
        records,
      });
    });
    return { ...outcome, jobId };
  }

  private async runWindows(
    windows: readonly TimeWindow[],
    run: RunContext,
    signal: AbortSignal | undefined,
    afterWindow: (w: TimeWindow) => Promise<void>,
  ): Promise<RunOutcome> {
    for (const window of windows) {
      if (signal?.aborted) return { status: 'aborted' };
      try {
        await this.scanner.scan(this.stream, window, run, signal);
      } catch (err) {
        const kind = sourceErrorKind(err, signal);
        if (kind === 'aborted') return { status: 'aborted' };
        const fields = {
          ...this.labels(),
          runId: run.runId,
          window: describeWindow(window),
          ...errorLogFields(err),
        };
        if (kind === 'auth') {
          this.stoppedReason = `invalid credentials: ${err instanceof Error ? err.message : String(err)}`;
          this.deps.metrics.streamStopped.set(this.labels(), 1);
          this.deps.logger.error(
            fields,
            'stream stopped: the platform refused the credentials; fix them and restart',
          );
          await this.deps.state
            .recordError(this.stream, this.stoppedReason)
            .catch(() => undefined);
          return { status: 'stopped', reason: this.stoppedReason };
        }
        const errorClass = errorClassOf(err);
        this.deps.metrics.windowFailures.inc({
          ...this.labels(),
          error_class: errorClass,
        });
        this.deps.logger.warn(
          fields,
          'window failed; it is retried on the next tick',
        );
        await this.deps.state
          .recordError(
            this.stream,
            err instanceof Error ? err.message : String(err),
          )
          .catch(() => undefined);
        return { status: 'failed', window, errorClass };
      }
      if (signal?.aborted) return { status: 'aborted' };
      await afterWindow(window);
    }
    return {
      status: 'ok',
      windows: windows.length,
      published: run.published,
      deduplicated: run.deduplicated,
    };
  }
}

/** Longest time the other streams of a connector wait for the master-data streams' first run. */
export const MASTER_DATA_FIRST_MAX_WAIT_MS = 120_000;

/**
 * Runs streams forever: each stream polls every `pollIntervalMs` and runs its
 * remediation scan when its cron is due. Streams run concurrently and share
 * the credential's rate limiter. A stopped stream idles (no hot loop).
 */
export class StreamScheduler {
  private controller = new AbortController();
  private loops: Promise<void>[] = [];

  constructor(
    private readonly runners: readonly StreamRunner[],
    private readonly pollIntervalMs: number,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
    /** Held per stream while it polls: a second process for the same stream waits. */
    private readonly lock?: StreamLock,
  ) {}

  start(): void {
    const startedAt = this.now();
    // Master data first: the other streams start once every master-data stream's first run (its full scan) is
    // over, so what needs it (an order needing its shop as a customer) comes after it. Capped, so a stuck
    // master-data stream does not hold the others back.
    const firstRuns: Promise<void>[] = [];
    const done = new Map<StreamRunner, () => void>();
    for (const r of this.runners) {
      if (initialSyncOf(r.stream) !== 'full') continue;
      firstRuns.push(new Promise<void>((resolve) => done.set(r, resolve)));
    }
    const gate =
      firstRuns.length === 0
        ? Promise.resolve()
        : Promise.race([
            Promise.all(firstRuns).then(() => undefined),
            sleep(MASTER_DATA_FIRST_MAX_WAIT_MS, this.controller.signal).catch(
              () => undefined,
            ),
          ]);
    this.loops = this.runners.map((r) =>
      this.loop(
        r,
        startedAt,
        done.has(r) ? Promise.resolve() : gate,
        done.get(r),
      ),
    );
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await Promise.all(this.loops);
  }

  private async loop(
    runner: StreamRunner,
    startedAt: Date,
    gate: Promise<void>,
    firstRunDone?: () => void,
  ): Promise<void> {
    const signal = this.controller.signal;
    await gate;
    if (this.lock) {
      try {
        await this.lock.acquire(
          `${runner.stream.platform}:${runner.stream.id}`,
          signal,
        );
      } catch {
        return; // stopped while waiting
      }
    }
    let remediationAt = await runner
      .nextRemediationAt(startedAt)
      .catch(() => undefined);
    while (!signal.aborted) {
      if (runner.stopped) {
        firstRunDone?.();
        await sleep(3_600_000, signal);
        continue;
      }
      try {
        await runner.runIncremental(signal).finally(() => firstRunDone?.());
        remediationAt ??= await runner.nextRemediationAt(startedAt);
        if (
          !signal.aborted &&
          !runner.stopped &&
          this.now().getTime() >= remediationAt.getTime()
        ) {
          const outcome = await runner.runRemediation(signal);
          if (outcome.status === 'ok')
            remediationAt = await runner.nextRemediationAt(startedAt);
        }
      } catch (err) {
        // Window errors are handled inside the runner; this is Postgres or Kafka being unavailable.
        this.logger.error(
          {
            connector: runner.stream.platform,
            stream: runner.stream.id,
            ...errorLogFields(err),
          },
          'run failed; retrying next tick',
        );
      }
      await sleep(
        runner.stream.pollIntervalSeconds
          ? runner.stream.pollIntervalSeconds * 1000
          : this.pollIntervalMs,
        signal,
      );
    }
  }
}
