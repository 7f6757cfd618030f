import type { LoggedFault } from './fault.schema';

/**
 * How a request ended. `ok` = accepted and answered with success; `rejected` = platform error
 * (bad sign, bad params…); `throttled` = rate limit; `fault` = injected fault; `not_found` = unknown path.
 */
export type RequestOutcome =
  'ok' | 'rejected' | 'throttled' | 'fault' | 'not_found';

export interface RequestLogEntry {
  seq: number;
  /** Simulator-clock ms when the request was received. */
  at: number;
  /** Wall-clock ms (Date.now()) when the request was received. */
  wallAt: number;
  method: string;
  path: string;
  endpoint: string;
  status: number;
  outcome: RequestOutcome;
  /** Platform code of the answer (e.g. '199', '0130020327'), when there is one. */
  code?: string;
  fault?: LoggedFault;
  durationMs: number;
}

export interface RequestStats {
  total: number;
  byOutcome: Record<RequestOutcome, number>;
  byEndpoint: Record<string, number>;
  /** Wall-clock ms of every accepted (`ok`) request, oldest first: measure a client's request rate. */
  acceptedAt: number[];
}

/** Bounded in-memory request log (keeps the last `capacity` entries; stats count everything). */
export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private seq = 0;
  private stats: RequestStats = RequestLog.emptyStats();

  constructor(private readonly capacity = 10_000) {}

  private static emptyStats(): RequestStats {
    return {
      total: 0,
      byOutcome: { ok: 0, rejected: 0, throttled: 0, fault: 0, not_found: 0 },
      byEndpoint: {},
      acceptedAt: [],
    };
  }

  add(entry: Omit<RequestLogEntry, 'seq'>): RequestLogEntry {
    const full: RequestLogEntry = { seq: ++this.seq, ...entry };
    this.entries.push(full);
    if (this.entries.length > this.capacity) this.entries.shift();
    this.stats.total++;
    this.stats.byOutcome[entry.outcome]++;
    this.stats.byEndpoint[entry.endpoint] =
      (this.stats.byEndpoint[entry.endpoint] ?? 0) + 1;
    if (entry.outcome === 'ok') {
      this.stats.acceptedAt.push(entry.wallAt);
      if (this.stats.acceptedAt.length > this.capacity)
        this.stats.acceptedAt.shift();
    }
    return full;
  }

  list(): RequestLogEntry[] {
    return [...this.entries];
  }

  summary(): RequestStats {
    return structuredClone(this.stats);
  }

  clear(): void {
    this.entries = [];
    this.stats = RequestLog.emptyStats();
  }
}
