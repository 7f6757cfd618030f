import type { KingdeeTarget } from '@kingbridge/contracts';
import {
  kingdeeError,
  type KingdeeWriter,
  type RowOutcome,
  type WriteRow,
} from '@kingbridge/sink-kingdee-client';

/** Documents that may share one Kingdee request: same target, form, operation and options. */
export interface WriteGroup {
  readonly target: KingdeeTarget;
  readonly formId: string;
  readonly operation: string;
  readonly options: Readonly<Record<string, string | number | boolean>>;
  /** The plan's `rows` (capped by what the target accepts per request). */
  readonly batchRows: number;
}

export interface WriteJob {
  /** Document key: jobs with the same key never run at once and keep submission order. */
  readonly key: string;
  readonly group: WriteGroup;
  readonly row: WriteRow;
  /** Aborted (partition lost, stop): not sent if still queued; a request is aborted once all its rows are. */
  readonly signal?: AbortSignal;
}

/** Observes every request (metrics). */
export interface WriteSchedulerHooks {
  onRequest?(info: {
    group: WriteGroup;
    rows: number;
    outcomes: readonly RowOutcome[];
    seconds: number;
  }): void;
  onInFlight?(target: KingdeeTarget, inFlight: number): void;
}

export interface WriteSchedulerOptions {
  readonly writers: ReadonlyMap<KingdeeTarget, KingdeeWriter>;
  /** Max requests in flight per target (Kingdee throttles concurrent calls). */
  readonly concurrency: Readonly<Record<KingdeeTarget, number>>;
  /** How long a partial batch waits for more documents at most (from its first row). */
  readonly lingerMs: number;
  /**
   * A partial batch is sent once no row joined it for this long (more rows keep it open up to
   * `lingerMs`). Default `lingerMs`: a fixed linger.
   */
  readonly lingerIdleMs?: number;
  readonly hooks?: WriteSchedulerHooks;
  readonly now?: () => number;
}

interface Pending {
  readonly job: WriteJob;
  readonly resolve: (outcome: RowOutcome) => void;
}

interface GroupQueue {
  readonly id: string;
  readonly group: WriteGroup;
  readonly maxRows: number;
  readonly queue: Pending[];
  timer: NodeJS.Timeout | undefined;
  lingerExpired: boolean;
  /** performance.now() when the partial batch began to linger, and when its last row arrived. */
  lingerSince: number;
  lastArrival: number;
  dispatching: number;
}

/** FIFO counting semaphore. */
class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  get inUse(): number {
    return this.active;
  }

  acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}

/**
 * Groups documents per target + form (+ operation and options) into
 * requests of up to `batchRows`, flushing full batches at once and partial
 * ones once no row joined them for `lingerIdleMs` (at most `lingerMs` after
 * their first row); at most `concurrency[target]` requests in flight per
 * target; a document whose key is in flight waits for it (order kept).
 * Rows are taken from the queue only when a request slot is free, so batches
 * fill up while Kingdee is busy.
 */
export class WriteScheduler {
  private readonly groups = new Map<string, GroupQueue>();
  private readonly semaphores = new Map<KingdeeTarget, Semaphore>();
  private readonly keyTails = new Map<string, Promise<unknown>>();
  /** Signals with a listener that drops their queued rows once aborted (one listener per signal). */
  private readonly watched = new WeakSet<AbortSignal>();
  private readonly now: () => number;

  constructor(private readonly options: WriteSchedulerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Resolves with the row's outcome once its request answered. Never rejects. */
  submit(job: WriteJob): Promise<RowOutcome> {
    const previous = this.keyTails.get(job.key);
    const run = (): Promise<RowOutcome> => this.enqueue(job);
    const result = previous ? previous.then(run, run) : run();
    const tail = result.catch(() => undefined);
    this.keyTails.set(job.key, tail);
    void tail.then(() => {
      if (this.keyTails.get(job.key) === tail) this.keyTails.delete(job.key);
    });
    return result;
  }

  /** Runs `fn` (e.g. an existence lookup) inside one of `target`'s request slots, so lookups obey the same limit. */
  async withSlot<T>(target: KingdeeTarget, fn: () => Promise<T>): Promise<T> {
    const semaphore = this.semaphore(target);
    await semaphore.acquire();
    this.options.hooks?.onInFlight?.(target, semaphore.inUse);
    try {
      return await fn();
    } finally {
      semaphore.release();
      this.options.hooks?.onInFlight?.(target, semaphore.inUse);
    }
  }

  /** Requests in flight for `target`. */
  inFlight(target: KingdeeTarget): number {
    return this.semaphores.get(target)?.inUse ?? 0;
  }

  private enqueue(job: WriteJob): Promise<RowOutcome> {
    const writer = this.options.writers.get(job.group.target);
    if (!writer) {
      return Promise.resolve({
        kind: 'failed',
        error: kingdeeError(
          'auth',
          `no writer configured for target ${job.group.target}`,
        ),
      });
    }
    const id = groupId(job.group);
    let g = this.groups.get(id);
    if (!g) {
      const maxRows = Math.max(
        1,
        Math.min(
          job.group.batchRows,
          writer.maxRowsPerRequest(job.group.operation),
        ),
      );
      g = {
        id,
        group: job.group,
        maxRows,
        queue: [],
        timer: undefined,
        lingerExpired: false,
        lingerSince: 0,
        lastArrival: 0,
        dispatching: 0,
      };
      this.groups.set(id, g);
    }
    const queue = g;
    const signal = job.signal;
    if (signal && !this.watched.has(signal)) {
      this.watched.add(signal);
      signal.addEventListener('abort', () => this.dropAborted(), {
        once: true,
      });
    }
    return new Promise((resolve) => {
      queue.queue.push({ job, resolve });
      queue.lastArrival = performance.now();
      this.schedule(queue);
    });
  }

  /** Rows whose consumer gave them up (partition revoked, stop) leave the queue at once, not sent. */
  private dropAborted(): void {
    for (const g of this.groups.values()) {
      let kept = 0;
      for (const p of g.queue) {
        if (p.job.signal?.aborted) p.resolve(notSent(g.group.target));
        else g.queue[kept++] = p;
      }
      if (kept === g.queue.length) continue;
      g.queue.length = kept;
      if (kept < g.maxRows) {
        if (g.timer !== undefined) clearTimeout(g.timer);
        g.timer = undefined;
        g.lingerExpired = false;
        this.schedule(g);
      }
    }
  }

  private schedule(g: GroupQueue): void {
    const full = Math.floor(g.queue.length / g.maxRows);
    const wanted =
      full > 0 ? full : g.lingerExpired && g.queue.length > 0 ? 1 : 0;
    while (g.dispatching < wanted) {
      g.dispatching++;
      void this.dispatch(g);
    }
    if (
      g.queue.length > 0 &&
      g.dispatching === 0 &&
      g.timer === undefined &&
      !g.lingerExpired
    ) {
      const { lingerMs } = this.options;
      const idleMs = Math.min(lingerMs, this.options.lingerIdleMs ?? lingerMs);
      if (idleMs <= 0) {
        g.lingerExpired = true;
        this.schedule(g);
        return;
      }
      g.lingerSince = performance.now();
      const check = (): void => {
        // Rows still arriving: wait until they pause, at most lingerMs from the first.
        const now = performance.now();
        const wait = Math.min(
          g.lastArrival + idleMs - now,
          g.lingerSince + lingerMs - now,
        );
        if (wait >= 1) {
          g.timer = setTimeout(check, wait);
          return;
        }
        g.timer = undefined;
        g.lingerExpired = true;
        this.schedule(g);
      };
      g.timer = setTimeout(check, idleMs);
    }
  }

  private async dispatch(g: GroupQueue): Promise<void> {
    const target = g.group.target;
    const semaphore = this.semaphore(target);
    await semaphore.acquire();
    g.dispatching--;
    // Up to maxRows rows from the front; one given up already (partition revoked, stop) is not sent.
    const batch: Pending[] = [];
    let taken = 0;
    for (; taken < g.queue.length && batch.length < g.maxRows; taken++) {
      const p = g.queue[taken] as Pending;
      if (p.job.signal?.aborted) p.resolve(notSent(target));
      else batch.push(p);
    }
    g.queue.splice(0, taken);
    if (g.queue.length < g.maxRows) {
      if (g.timer !== undefined) clearTimeout(g.timer);
      g.timer = undefined;
      g.lingerExpired = false;
    }
    if (batch.length === 0) {
      semaphore.release();
      return;
    }
    this.schedule(g);
    this.options.hooks?.onInFlight?.(target, semaphore.inUse);
    const started = this.now();
    let outcomes: RowOutcome[];
    const { signal, dispose } = whenAllAborted(batch.map((p) => p.job.signal));
    try {
      const writer = this.options.writers.get(target);
      outcomes = writer
        ? await writer.write({
            formId: g.group.formId,
            operation: g.group.operation,
            options: g.group.options,
            rows: batch.map((p) => p.job.row),
            ...(signal ? { signal } : {}),
          })
        : [];
    } catch (err) {
      const error = kingdeeError(
        'unknown',
        `${target}: ${err instanceof Error ? err.message : String(err)}`,
      );
      outcomes = batch.map(() => ({ kind: 'failed', error }));
    } finally {
      dispose();
      semaphore.release();
      this.options.hooks?.onInFlight?.(target, semaphore.inUse);
    }
    this.options.hooks?.onRequest?.({
      group: g.group,
      rows: batch.length,
      outcomes,
      seconds: (this.now() - started) / 1000,
    });
    batch.forEach((p, i) => {
      p.resolve(
        outcomes[i] ?? {
          kind: 'failed',
          error: kingdeeError(
            'bad_response',
            `${target}: no outcome for row ${i}`,
          ),
        },
      );
    });
  }

  private semaphore(target: KingdeeTarget): Semaphore {
    let s = this.semaphores.get(target);
    if (!s) {
      s = new Semaphore(Math.max(1, this.options.concurrency[target]));
      this.semaphores.set(target, s);
    }
    return s;
  }
}

function notSent(target: KingdeeTarget): RowOutcome {
  return {
    kind: 'failed',
    error: kingdeeError('unknown', `${target}: not sent (aborted)`),
  };
}

const noop = (): void => undefined;

/**
 * A signal aborted once every one of `signals` is (none when some row has none); `dispose` removes its
 * listeners when the request is over. The rows of one consumer batch share a signal: then it is that one.
 */
function whenAllAborted(signals: ReadonlyArray<AbortSignal | undefined>): {
  signal?: AbortSignal;
  dispose: () => void;
} {
  const distinct = new Set<AbortSignal>();
  for (const s of signals) {
    if (s === undefined) return { dispose: noop };
    distinct.add(s);
  }
  const [only] = distinct;
  if (distinct.size === 1 && only) return { signal: only, dispose: noop };
  const controller = new AbortController();
  const check = (): void => {
    for (const s of distinct) if (!s.aborted) return;
    controller.abort();
  };
  for (const s of distinct) s.addEventListener('abort', check);
  check();
  return {
    signal: controller.signal,
    dispose: () => {
      for (const s of distinct) s.removeEventListener('abort', check);
    },
  };
}

function groupId(g: WriteGroup): string {
  const options = Object.keys(g.options)
    .sort()
    .map((k) => `${k}=${String(g.options[k])}`)
    .join('&');
  return `${g.target}\u0000${g.formId}\u0000${g.operation}\u0000${g.batchRows}\u0000${options}`;
}
