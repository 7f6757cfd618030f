import { createPrng, type Prng } from './prng';
import {
  faultConfigSchema,
  type FaultConfig,
  type FaultConfigInput,
  type FaultKind,
  type GarbageKind,
} from './fault.schema';

/** Seeded fault decisions. `update` merges a partial config (admin endpoint) and re-seeds. */
export class FaultInjector {
  private config: FaultConfig;
  private prng: Prng;

  constructor(input: FaultConfigInput = {}) {
    this.config = faultConfigSchema.parse(input);
    this.prng = createPrng(this.config.seed);
  }

  get current(): FaultConfig {
    return this.config;
  }

  update(partial: FaultConfigInput): FaultConfig {
    this.config = faultConfigSchema.parse({ ...this.config, ...partial });
    this.prng = createPrng(this.config.seed);
    return this.config;
  }

  replace(input: FaultConfigInput): FaultConfig {
    this.config = faultConfigSchema.parse(input);
    this.prng = createPrng(this.config.seed);
    return this.config;
  }

  applies(endpoint: string): boolean {
    return !this.config.endpoints || this.config.endpoints.includes(endpoint);
  }

  /** Draws the fault (if any) for one request. */
  decide(endpoint: string): FaultKind | null {
    if (!this.applies(endpoint)) return null;
    const c = this.config;
    const u = this.prng.next();
    let edge = c.resetRate;
    if (u < edge) return 'reset';
    if (u < (edge += c.hangRate)) return 'hang';
    if (u < (edge += c.http5xxRate)) return 'http5xx';
    if (u < (edge += c.errorRate)) return 'error';
    return null;
  }

  /** Whether to drop the answer of a request whose handler already ran. */
  loseResponse(endpoint: string): boolean {
    return (
      this.applies(endpoint) && this.prng.chance(this.config.lostResponseRate)
    );
  }

  /** Whether (and how) to break the body of an answer the handler produced. */
  garble(endpoint: string): GarbageKind | null {
    if (!this.applies(endpoint) || !this.prng.chance(this.config.garbageRate))
      return null;
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

  latencyMs(endpoint: string): number {
    if (!this.applies(endpoint)) return 0;
    const l = this.config.latency;
    switch (l.kind) {
      case 'none':
        return 0;
      case 'fixed':
        return l.ms;
      case 'uniform':
        return this.prng.int(
          Math.min(l.minMs, l.maxMs),
          Math.max(l.minMs, l.maxMs),
        );
      case 'exponential':
        return Math.min(
          l.maxMs,
          Math.round(-Math.log(1 - this.prng.next()) * l.meanMs),
        );
    }
  }

  /** 5xx status for an injected server error. */
  pick5xx(): number {
    return this.prng.pick([500, 502, 503]);
  }
}
