/* Transform processes against the bench broker: start n of them on one group, wait for the group, sample progress. */
import { join } from 'node:path';
import type { Admin } from './kafkajs';
import { committedSince, endOffsets } from './kafka';
import { ServiceProcess } from './service';
import type { BenchContext } from './types';

const sleep = (ms: number): Promise<void> =>
  new Promise((done) => setTimeout(done, ms));

export function transformEnv(
  ctx: BenchContext,
  plansDir: string,
  groupId: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    DATABASE_URL: ctx.databaseUrl,
    KAFKA_BROKERS: ctx.broker.brokers.join(','),
    PLANS_DIR: plansDir,
    TRANSFORM_GROUP_ID: groupId,
    KAFKA_SESSION_TIMEOUT_MS: '10000',
    WINDOW_TICK_MS: '1000',
    ...benchTransformEnv(),
    ...extra,
  };
}

/**
 * Extra transform settings for every transform process of the run, from `BENCH_TRANSFORM_ENV`
 * (`NAME=value NAME=value`), e.g. `BENCH_TRANSFORM_ENV="TRANSFORM_FETCH_PARTITION_BYTES=262144"`.
 */
export function benchTransformEnv(
  text = process.env['BENCH_TRANSFORM_ENV'] ?? '',
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of text.split(/\s+/).filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0)
      throw new Error(`BENCH_TRANSFORM_ENV: '${pair}' is not NAME=value`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

export function startTransforms(
  ctx: BenchContext,
  count: number,
  env: Record<string, string>,
): Promise<ServiceProcess[]> {
  return Promise.all(
    Array.from({ length: count }, () =>
      new ServiceProcess({
        service: 'transform',
        env,
        ...(ctx.profileDir
          ? { cpuProfDir: join(ctx.profileDir, 'transform') }
          : {}),
      }).start(),
    ),
  );
}

export interface Progress {
  /** ms since `start` → messages committed. */
  readonly samples: Array<[number, number]>;
  readonly seconds: number;
}

/**
 * Polls the group's committed offsets every `intervalMs` until `count` messages past `from` are committed;
 * `onSample` runs after each sample (e.g. to start another instance mid-run).
 */
export async function waitCommitted(
  admin: Admin,
  groupId: string,
  topic: string,
  from: ReadonlyMap<number, bigint>,
  count: number,
  options: {
    start: number;
    timeoutMs: number;
    intervalMs?: number;
    onSample?: (done: number) => void | Promise<void>;
  },
): Promise<Progress> {
  const samples: Array<[number, number]> = [];
  for (;;) {
    const done = await committedSince(admin, groupId, topic, from);
    const at = performance.now() - options.start;
    samples.push([at, done]);
    if (done >= count) return { samples, seconds: at / 1000 };
    if (at > options.timeoutMs)
      throw new Error(
        `${groupId}: only ${done}/${count} committed after ${Math.round(at / 1000)} s`,
      );
    await options.onSample?.(done);
    await sleep(options.intervalMs ?? 100);
  }
}

/** The longest stretch without committed progress in [fromMs, toMs] (a rebalance pause shows as one). */
export function longestStall(
  samples: ReadonlyArray<[number, number]>,
  fromMs: number,
  toMs = Number.POSITIVE_INFINITY,
): number {
  let longest = 0;
  let changedAt: number | undefined;
  let last = -1;
  for (const [at, done] of samples) {
    if (at > toMs) break;
    // Up to the sample that sees progress again (an upper bound, within one sampling interval).
    if (at >= fromMs && changedAt !== undefined)
      longest = Math.max(longest, at - changedAt);
    if (done !== last || at < fromMs) {
      changedAt = at;
      last = done;
    }
  }
  return longest;
}

export { endOffsets };
