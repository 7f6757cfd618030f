import { createSeededRandom } from './seeded-random.util';
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
  private readonly random: () => number;

  constructor(
    private readonly initial: FaultConfig,
    seed: number,
  ) {
    this.config = cloneConfig(initial);
    this.random = createSeededRandom(seed);
  }

  current(): FaultConfig {
    return cloneConfig(this.config);
  }

  replace(input: FaultConfigInput): FaultConfig {
    this.config = faultConfigSchema.parse(input);
    return this.current();
  }

  reset(): void {
    this.config = cloneConfig(this.initial);
  }

  pick(path: string): FaultKind | undefined {
    const lower = path.toLowerCase();
    const queued = this.config.queue.find(
      (entry) => entry.pathContains === undefined || lower.includes(entry.pathContains.toLowerCase()),
    );
    if (queued) {
      queued.count -= 1;
      if (queued.count <= 0) this.config.queue.splice(this.config.queue.indexOf(queued), 1);
      return queued.fault;
    }
    const filter = this.config.pathContains;
    if (filter !== undefined && !lower.includes(filter.toLowerCase())) return undefined;
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

  latencyMs(): number {
    return sampleLatency(this.config.latency, this.random);
  }
}

export function sampleLatency(latency: LatencyConfig, random: () => number): number {
  switch (latency.kind) {
    case 'none':
      return 0;
    case 'fixed':
      return latency.ms;
    case 'uniform':
      return latency.minMs + random() * Math.max(0, latency.maxMs - latency.minMs);
    case 'normal':
      return Math.max(0, latency.meanMs + gaussian(random) * latency.stdDevMs);
    case 'lognormal':
      return latency.medianMs * Math.exp(gaussian(random) * latency.sigma);
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
