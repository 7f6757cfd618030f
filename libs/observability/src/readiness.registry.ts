import { redactSecrets } from '@kingbridge/config';

/**
 * What a check returns: `true`/`undefined` or `{ ready: true }` when healthy;
 * `false` or `{ ready: false, reason }` when not. Throwing also means not
 * ready (the error message becomes the reason).
 */
export type ReadinessOutcome =
  boolean | void | { readonly ready: boolean; readonly reason?: string };

/**
 * One dependency the service needs before it can do work (Kafka, Postgres,
 * a source API login), e.g. `{ name: 'kafka', check: kafkaHealthIndicator(...) }`.
 */
export interface ReadinessCheck {
  readonly name: string;
  readonly check: () => Promise<ReadinessOutcome> | ReadinessOutcome;
}

export interface ReadinessCheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly reason?: string;
}

export interface ReadinessReport {
  readonly status: 'ready' | 'not_ready';
  /** Names of the failing checks (empty when ready). */
  readonly failing: readonly string[];
  readonly checks: readonly ReadinessCheckResult[];
}

/**
 * The set of readiness checks of one process. Seeded by
 * `ObservabilityModule.forRoot({ readinessChecks })`; providers created later
 * (a Kafka consumer, a DataSource) add theirs with `register`.
 */
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

  constructor(
    checks: readonly ReadinessCheck[] = [],
    private readonly timeoutMs = 3_000,
  ) {
    for (const check of checks) this.register(check);
  }

  /** Adds a check; a second check with the same name replaces the first. */
  register(check: ReadinessCheck): void {
    this.checks.set(check.name, check);
  }

  names(): string[] {
    return [...this.checks.keys()];
  }

  /** Runs every check concurrently, each bounded by the timeout. */
  async run(): Promise<ReadinessReport> {
    const results = await Promise.all(
      [...this.checks.values()].map((c) => this.runOne(c)),
    );
    const failing = results.filter((r) => !r.ok).map((r) => r.name);
    return {
      status: failing.length === 0 ? 'ready' : 'not_ready',
      failing,
      checks: results,
    };
  }

  private async runOne(check: ReadinessCheck): Promise<ReadinessCheckResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<ReadinessCheckResult>((resolve) => {
      timer = setTimeout(
        () =>
          resolve({
            name: check.name,
            ok: false,
            reason: `timed out after ${this.timeoutMs} ms`,
          }),
        this.timeoutMs,
      );
    });
    const attempt = (async (): Promise<ReadinessCheckResult> => {
      try {
        const outcome = await check.check();
        if (outcome === false) {
          return { name: check.name, ok: false, reason: 'check failed' };
        }
        if (typeof outcome === 'object' && outcome !== null && !outcome.ready) {
          return {
            name: check.name,
            ok: false,
            reason: redactSecrets(outcome.reason ?? 'not ready'),
          };
        }
        return { name: check.name, ok: true };
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        return {
          name: check.name,
          ok: false,
          reason: redactSecrets(message || 'check failed'),
        };
      }
    })();
    try {
      return await Promise.race([attempt, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
