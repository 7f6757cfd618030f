import { createPrng, type Prng } from '@kingbridge/pipeline-core';
import {
  faultConfigSchema,
  type FaultConfig,
  type FaultConfigInput,
  type FaultKind,
  type GarbageKind,
  type LatencyConfig,
} from './fault.schema';

/**
 * Seeded fault decisions of one simulator (the one fault middleware of `startSimServer` asks it).
 * `update`/`merge` merge a partial config (admin endpoint), `replace` swaps it, `reset` restores the
 * initial one; each re-seeds the PRNG.
 */
export class FaultInjector {
  private config: FaultConfig;
  private prng: Prng;
  private readonly initial: FaultConfig;

  constructor(
    input: FaultConfigInput = {},
    private readonly defaultSeed = 1,
  ) {
    this.config = this.parse(input);
    this.initial = cloneConfig(this.config);
    this.prng = createPrng(this.config.seed);
  }

  get current(): FaultConfig {
    return cloneConfig(this.config);
  }

  /** Merges a partial config into the current one (the admin POST semantics of every simulator). */
  update(partial: FaultConfigInput): FaultConfig {
    return this.replace({ ...this.config, ...partial });
  }

  merge(partial: FaultConfigInput): FaultConfig {
    return this.update(partial);
  }

  replace(input: FaultConfigInput): FaultConfig {
    this.config = this.parse(input);
    this.prng = createPrng(this.config.seed);
    return this.current;
  }

  /** Back to the config the simulator started with. */
  reset(): FaultConfig {
    return this.replace(this.initial);
  }

  /** Draws the fault (if any) for one request: a matching queued fault first, else one draw over the rates. */
  decide(endpoint: string, path = endpoint): FaultKind | null {
    const lowerPath = path.toLowerCase();
    const lowerEndpoint = endpoint.toLowerCase();
    const queued = this.config.queue.find(
      (entry) =>
        entry.pathContains === undefined ||
        lowerPath.includes(entry.pathContains.toLowerCase()) ||
        lowerEndpoint.includes(entry.pathContains.toLowerCase()),
    );
    if (queued && queued.skip > 0) {
      queued.skip -= 1;
      return null;
    }
    if (queued) {
      queued.count -= 1;
      if (queued.count <= 0)
        this.config.queue.splice(this.config.queue.indexOf(queued), 1);
      return queued.fault;
    }
    if (!this.applies(endpoint, path)) return null;
    const c = this.config;
    const table: Array<[FaultKind, number]> = [
      ['reset', c.resetRate],
      ['hang', c.hangRate],
      ['http-5xx', c.http5xxRate],
      ['html-error', c.htmlErrorRate],
      ['empty-body', c.emptyBodyRate],
      ['error', c.errorRate],
      ['lost-response', c.lostResponseRate],
      ['garbage', c.garbageRate],
    ];
    const draw = this.prng.next();
    let edge = 0;
    for (const [kind, p] of table) {
      edge += p;
      if (draw < edge) return kind;
    }
    return null;
  }

  /** Whether the rates (not the queue) apply to a request. */
  applies(endpoint: string, path = endpoint): boolean {
    const { pathContains, endpoints } = this.config;
    const lowerPath = path.toLowerCase();
    if (
      pathContains !== undefined &&
      !lowerPath.includes(pathContains.toLowerCase())
    )
      return false;
    return (
      endpoints === undefined ||
      endpoints.some(
        (e) => e === endpoint || lowerPath.includes(e.toLowerCase()),
      )
    );
  }

  /** How to break the body of an answer the handler produced (the `garbage` fault). */
  garbageKind(): GarbageKind {
    return this.prng.pick(['truncated', 'html', 'empty'] as const);
  }

  /** Index of the record to corrupt in a page of `size` records, or null. */
  corruptIndex(endpoint: string, size: number): number | null {
    if (size === 0 || !this.applies(endpoint)) return null;
    if (!this.prng.chance(this.config.corruptRecordRate)) return null;
    return this.prng.int(0, size - 1);
  }

  /** Draws a corruption: remove the field, or replace it with a value of the wrong type. */
  corruption(): 'remove' | 'wrong_type' {
    return this.prng.chance(0.5) ? 'remove' : 'wrong_type';
  }

  latencyMs(endpoint: string, path = endpoint): number {
    return this.applies(endpoint, path)
      ? sampleLatency(this.config.latency, this.prng.next)
      : 0;
  }

  /** 5xx status for an injected server error. */
  pick5xx(): number {
    return this.prng.pick([500, 502, 503]);
  }

  private parse(input: FaultConfigInput): FaultConfig {
    const parsed = faultConfigSchema.parse(input);
    return cloneConfig({ ...parsed, seed: parsed.seed ?? this.defaultSeed });
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
        Math.min(latency.minMs, latency.maxMs) +
        random() * Math.abs(latency.maxMs - latency.minMs)
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
  return {
    ...config,
    ...(config.endpoints ? { endpoints: [...config.endpoints] } : {}),
    queue: config.queue.map((entry) => ({ ...entry })),
  };
}
