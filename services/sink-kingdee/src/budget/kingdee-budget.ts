import { randomUUID } from 'node:crypto';
import type { KingdeeTarget } from '@kingbridge/contracts';
import type { Logger } from '@kingbridge/observability';
import {
  RetryStoppedError,
  retryWithBackoff,
  type BackoffPolicy,
} from '@kingbridge/pipeline-core';
import type { KingdeeWriter } from '@kingbridge/sink-kingdee-client';
import type { SinkKingdeeConfig } from '../sink-kingdee.config';
import type { kingdeeBudgetConfigShape } from './kingdee-budget.config';

/** The one method the budget needs; a TypeORM DataSource fits. */
export interface BudgetSql {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query(sql: string, params?: unknown[]): Promise<any>;
}

export interface KingdeeBudgetOptions {
  readonly db: BudgetSql;
  /** Slots per target; a target without a size is not limited across pods. */
  readonly sizes: Partial<Record<KingdeeTarget, number>>;
  /** Tenant key per target (target + endpoint + account): pods writing to the same tenant share its slots. */
  readonly tenants: Readonly<Record<KingdeeTarget, string>>;
  readonly leaseMs: number;
  readonly logger: Logger;
}

/** Waits between tries for a slot: 25, 50, 100, 200, then 400 ms, each ×0.5..1.5 (pods do not retry in step). */
const SLOT_BACKOFF: BackoffPolicy = {
  initialMs: 25,
  multiplier: 2,
  factor: 0.5,
  maxMs: 400,
  attempts: Number.POSITIVE_INFINITY,
};

/** Every slot of the tenant is taken (retried); a failing query is not. */
class TenantBusyError extends Error {}

/**
 * A counting semaphore per Kingdee tenant shared by every sink pod, in
 * Postgres: a request takes one of the tenant's `size` slot rows (free or
 * expired) and deletes it when it answered. A pod that dies mid-request holds
 * its slot until the lease expires (longer than any request may take).
 */
export class KingdeeBudget {
  private readonly holder = randomUUID();

  constructor(private readonly options: KingdeeBudgetOptions) {}

  limited(target: KingdeeTarget): boolean {
    return this.options.sizes[target] !== undefined;
  }

  /** Waits for a slot of `target`'s tenant; resolves with its release. */
  async acquire(
    target: KingdeeTarget,
    signal?: AbortSignal,
  ): Promise<() => Promise<void>> {
    const size = this.options.sizes[target];
    if (size === undefined) return async () => undefined;
    const tenant = this.options.tenants[target];
    try {
      return await retryWithBackoff(() => this.take(target, tenant, size), {
        policy: SLOT_BACKOFF,
        signal,
        retryable: (err) => err instanceof TenantBusyError,
        onRetry: (_err, attempt) => {
          if (attempt === 21)
            this.options.logger.debug(
              { target },
              'waiting for a Kingdee budget slot (tenant busy across pods)',
            );
        },
      });
    } catch (err) {
      if (err instanceof RetryStoppedError)
        throw new Error('aborted while waiting for a Kingdee budget slot');
      throw err;
    }
  }

  /** Takes one free (or expired) slot of `tenant`; resolves with its release, throws TenantBusyError when none. */
  private async take(
    target: KingdeeTarget,
    tenant: string,
    size: number,
  ): Promise<() => Promise<void>> {
    const rows = (await this.options.db.query(
      `WITH free AS (
           SELECT s AS slot FROM generate_series(0, $3::int - 1) s
            WHERE NOT EXISTS (SELECT 1 FROM sink_kingdee.kingdee_budget_lease l
                               WHERE l.tenant = $1 AND l.slot = s AND l.expires_at > now())
            ORDER BY random() LIMIT 1)
         INSERT INTO sink_kingdee.kingdee_budget_lease (tenant, slot, holder, expires_at)
         SELECT $1, slot, $2, now() + make_interval(secs => $4::double precision / 1000) FROM free
         ON CONFLICT (tenant, slot) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
          WHERE kingdee_budget_lease.expires_at <= now()
         RETURNING slot`,
      [tenant, this.holder, size, this.options.leaseMs],
    )) as Array<{ slot: number }>;
    const slot = rows[0]?.slot;
    if (slot !== undefined) {
      return async () => {
        await this.options.db.query(
          'DELETE FROM sink_kingdee.kingdee_budget_lease WHERE tenant = $1 AND slot = $2 AND holder = $3',
          [tenant, slot, this.holder],
        );
      };
    }
    throw new TenantBusyError(`${target}: every budget slot is taken`);
  }

  /** Runs `fn` inside one slot of `target`'s tenant. */
  async run<T>(
    target: KingdeeTarget,
    fn: () => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const release = await this.acquire(target, signal);
    try {
      return await fn();
    } finally {
      await release().catch((err: unknown) =>
        this.options.logger.warn(
          { target, reason: (err as Error).message },
          'could not free a Kingdee budget slot; it expires with its lease',
        ),
      );
    }
  }
}

/** Every Kingdee call of `writers` (writes and bill lookups) through the shared budget. */
export function withKingdeeBudget(
  writers: ReadonlyMap<KingdeeTarget, KingdeeWriter>,
  budget: KingdeeBudget,
): Map<KingdeeTarget, KingdeeWriter> {
  const out = new Map<KingdeeTarget, KingdeeWriter>();
  for (const [target, writer] of writers) {
    if (!budget.limited(target)) {
      out.set(target, writer);
      continue;
    }
    const wrapped: KingdeeWriter = {
      target: writer.target,
      maxRowsPerRequest: (operation) => writer.maxRowsPerRequest(operation),
      write: (request) =>
        budget.run(target, () => writer.write(request), request.signal),
      findBills: (formId, billNos, signal) =>
        budget.run(
          target,
          () => writer.findBills(formId, billNos, signal),
          signal,
        ),
      ...(writer.matchBills
        ? {
            matchBills: (
              formId: string,
              rows: Parameters<NonNullable<KingdeeWriter['matchBills']>>[1],
              signal?: AbortSignal,
            ) =>
              budget.run(
                target,
                () =>
                  (
                    writer.matchBills as NonNullable<
                      KingdeeWriter['matchBills']
                    >
                  )(formId, rows, signal),
                signal,
              ),
          }
        : {}),
    };
    out.set(target, wrapped);
  }
  return out;
}

/** What the budget reads of the sink's config: the endpoints and accounts that name a tenant, and its sizes. */
export type KingdeeBudgetConfig = Pick<
  SinkKingdeeConfig,
  | 'K3CLOUD_BASE_URL'
  | 'K3CLOUD_ACCT_ID'
  | 'JDY_BASE_URL'
  | 'JDY_APP_KEY'
  | 'K3WISE_BASE_URL'
  | 'KINGDEE_TIMEOUT_MS'
  | keyof typeof kingdeeBudgetConfigShape
>;

/** The budget of the sink's config: tenants keyed by endpoint and account. */
export function kingdeeBudgetOf(
  config: KingdeeBudgetConfig,
  db: BudgetSql,
  logger: Logger,
): KingdeeBudget {
  const sizes: Partial<Record<KingdeeTarget, number>> = {};
  if (config.KINGDEE_BUDGET_K3CLOUD)
    sizes.k3cloud = config.KINGDEE_BUDGET_K3CLOUD;
  if (config.KINGDEE_BUDGET_JDY) sizes.jdy = config.KINGDEE_BUDGET_JDY;
  if (config.KINGDEE_BUDGET_K3WISE) sizes.k3wise = config.KINGDEE_BUDGET_K3WISE;
  return new KingdeeBudget({
    db,
    sizes,
    tenants: {
      k3cloud: `k3cloud ${config.K3CLOUD_BASE_URL} ${config.K3CLOUD_ACCT_ID}`,
      jdy: `jdy ${config.JDY_BASE_URL} ${config.JDY_APP_KEY ?? ''}`,
      k3wise: `k3wise ${config.K3WISE_BASE_URL}`,
    },
    leaseMs:
      config.KINGDEE_BUDGET_LEASE_MS ?? config.KINGDEE_TIMEOUT_MS + 30_000,
    logger,
  });
}
