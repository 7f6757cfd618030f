import { createPrng } from '../../common';
import {
  faultConfigSchema,
  type FaultConfig,
  type FaultConfigInput,
  type FaultKind,
  type LatencyConfig,
} from './kingdee-fault.schema';

/** Picks the fault (if any) and latency for each request from a config plus a deterministic queue. */
export class FaultInjector {
  private config: FaultConfig;
  private random: () => number;

  constructor(
    private readonly initial: FaultConfig,
    private readonly seed: number,
  ) {
    this.config = cloneConfig(initial);
    this.random = seededRandom(initial.seed ?? seed);
  }

  current(): FaultConfig {
    return cloneConfig(this.config);
  }

  replace(input: FaultConfigInput): FaultConfig {
    this.config = faultConfigSchema.parse(input);
    if (this.config.seed !== undefined)
      this.random = seededRandom(this.config.seed);
    return this.current();
  }

  /** Merges a partial config into the current one (the admin POST semantics of every simulator). */
  merge(partial: FaultConfigInput): FaultConfig {
    return this.replace({ ...this.current(), ...partial });
  }

  reset(): void {
    this.config = cloneConfig(this.initial);
    this.random = seededRandom(this.initial.seed ?? this.seed);
  }

  /** Status of an injected 5xx. */
  pick5xx(): number {
    return [500, 502, 503][Math.floor(this.random() * 3)] ?? 503;
  }

  pick(path: string): FaultKind | undefined {
    const lower = path.toLowerCase();
    const queued = this.config.queue.find(
      (entry) =>
        entry.pathContains === undefined ||
        lower.includes(entry.pathContains.toLowerCase()),
    );
    if (queued && queued.skip > 0) {
      queued.skip -= 1;
      return undefined;
    }
    if (queued) {
      queued.count -= 1;
      if (queued.count <= 0)
        this.config.queue.splice(this.config.queue.indexOf(queued), 1);
      return queued.fault;
    }
    if (!this.applies(lower)) return undefined;
    const c = this.config;
    const table: Array<[FaultKind, number]> = [
      ['reset', c.resetRate],
      ['hang', c.hangRate],
      ['http-5xx', c.http5xxRate],
      ['html-error', c.htmlErrorRate],
      ['empty-body', c.emptyBodyRate],
      ['error', c.errorRate],
      ['lost-response', c.lostResponseRate],
    ];
    const draw = this.random();
    let acc = 0;
    for (const [kind, p] of table) {
      acc += p;
      if (draw < acc) return kind;
    }
    return undefined;
  }

  latencyMs(path: string): number {
    return this.applies(path.toLowerCase())
      ? sampleLatency(this.config.latency, this.random)
      : 0;
  }

  private applies(lowerPath: string): boolean {
    const { pathContains, endpoints } = this.config;
    if (
      pathContains !== undefined &&
      !lowerPath.includes(pathContains.toLowerCase())
    )
      return false;
    if (
      endpoints !== undefined &&
      !endpoints.some((e) => lowerPath.includes(e.toLowerCase()))
    )
      return false;
    return true;
  }
}

export function sampleLatency(
  latency: LatencyConfig,
  random: () => number,
): number {
  switch (latency.kind) {
    case 'none':
      return 0;
    case 'fixed':
      return latency.ms;
    case 'uniform':
      return (
        latency.minMs + random() * Math.max(0, latency.maxMs - latency.minMs)
      );
    case 'normal':
      return Math.max(0, latency.meanMs + gaussian(random) * latency.stdDevMs);
    case 'lognormal':
      return latency.medianMs * Math.exp(gaussian(random) * latency.sigma);
    case 'exponential':
      return Math.min(latency.maxMs, -Math.log(1 - random()) * latency.meanMs);
  }
}

function gaussian(random: () => number): number {
  const u = Math.max(random(), Number.EPSILON);
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function cloneConfig(config: FaultConfig): FaultConfig {
  return { ...config, queue: config.queue.map((entry) => ({ ...entry })) };
}

function seededRandom(seed: number): () => number {
  return createPrng(seed).next;
}
