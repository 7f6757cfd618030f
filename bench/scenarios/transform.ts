/*
 * 2. The transform through Kafka, flow 1 (Jackyun retail orders, merged per shop + warehouse + day) and flow 2
 *    (WDT stock-outs, one document each): the raw topic pre-filled with N records, one transform process
 *    consumes → maps (or merges into Postgres) → produces → commits. Records/s from the process being ready to
 *    every record committed, as a ratio to ProducerPerformance at the topic's message size; CPU-seconds per 1k
 *    records and peak RSS of the process.
 */
import { type SourceEntity } from '@kingbridge/contracts';
import { rawTopic } from '@kingbridge/source-registry';
import { benchFlow, FLOW1_PLAN, FLOW2_PLAN, writePlans } from '../lib/flows';
import {
  encodeRecords,
  endOffsets,
  produceAll,
  startGroupAtEnd,
} from '../lib/kafka';
import { rawRecords, type BenchPlatform } from '../lib/records';
import { metricValue, type ServiceProcess } from '../lib/service';
import {
  startTransforms,
  transformEnv,
  waitCommitted,
} from '../lib/transform-run';
import type { BenchContext, Row, Scenario } from '../lib/types';
import { ceilingOf, ratio } from './ceiling';
import { benchLookups } from './shared';

export const TARGET_NON_MERGED = 0.5;
export const TARGET_MERGED = 0.35;
export const TARGET_RSS_MB = 300;

interface FlowCase {
  readonly label: string;
  readonly plan: string;
  readonly platform: BenchPlatform;
  readonly entity: SourceEntity;
  readonly target: number;
  readonly env?: Record<string, string>;
  /** Own flow id (`<plan>-<tag>-<suffix>`): a merged flow run twice must not merge into the first run's windows. */
  readonly idTag?: string;
}

const CASES: readonly FlowCase[] = [
  {
    label: 'flow 1 (merged)',
    plan: FLOW1_PLAN,
    platform: 'jackyun',
    entity: 'sales-order',
    target: TARGET_MERGED,
  },
  {
    label: 'flow 2 (non-merged)',
    plan: FLOW2_PLAN,
    platform: 'wdt',
    entity: 'stockout-order',
    target: TARGET_NON_MERGED,
  },
  {
    // The service's default is one partition at a time; the same flow with 4 in flight (a setting, no code).
    label: 'flow 2, TRANSFORM_PARTITIONS_CONCURRENCY=4',
    plan: FLOW2_PLAN,
    platform: 'wdt',
    entity: 'stockout-order',
    target: TARGET_NON_MERGED,
    env: { TRANSFORM_PARTITIONS_CONCURRENCY: '4' },
  },
  {
    // Memory: V8's old space capped (a Node flag of the deployment, not a code change); RSS vs CPU per record.
    label: 'flow 1, NODE_OPTIONS=--max-old-space-size=192',
    plan: FLOW1_PLAN,
    platform: 'jackyun',
    entity: 'sales-order',
    target: TARGET_MERGED,
    env: { NODE_OPTIONS: '--max-old-space-size=192' },
    idTag: 'heap192',
  },
];

/** Steady rate between 10 % and 90 % committed (start-up and tail left out). */
export function steadyRate(
  samples: ReadonlyArray<[number, number]>,
  count: number,
): number {
  const first = samples.find(([, d]) => d >= 0.1 * count);
  const last = samples.find(([, d]) => d >= 0.9 * count);
  if (!first || !last || last[0] <= first[0]) return 0;
  return (1000 * (last[1] - first[1])) / (last[0] - first[0]);
}

async function runCase(
  ctx: BenchContext,
  c: FlowCase,
  count: number,
): Promise<Row> {
  const base = await benchFlow(c.plan, ctx.suffix);
  const id = c.idTag
    ? base.id.replace(`-${ctx.suffix}`, `-${c.idTag}-${ctx.suffix}`)
    : base.id;
  const flow = { id, plan: { ...base.plan, id } };
  const plansDir = await writePlans([flow]);
  const topic = rawTopic(c.platform, c.entity);
  const groupId = `bench-transform-${c.platform}-${c.env ? 'c' : ''}${ctx.suffix}`;
  const { admin, kafka } = ctx.broker;
  const from = await endOffsets(admin, topic);
  await startGroupAtEnd(admin, groupId, topic);
  ctx.log(`transform ${c.label}: pre-filling ${topic} with ${count} records`);
  const records = rawRecords(c.platform, count, {
    seed: 1000 + CASES.indexOf(c),
  });
  await produceAll(kafka, topic, encodeRecords(records));
  const [proc] = await startTransforms(
    ctx,
    1,
    transformEnv(ctx, plansDir, groupId, c.env),
  );
  if (!proc) throw new Error('no transform started');
  try {
    const start = performance.now();
    const cpu0 = proc.stats()?.cpuSeconds ?? 0;
    const progress = await waitCommitted(admin, groupId, topic, from, count, {
      start,
      timeoutMs: 60_000 + count * 5,
    });
    const stats = proc.stats();
    const metrics = await proc.metrics();
    const rate = count / progress.seconds;
    const ceiling = ceilingOf(ctx, c.platform);
    const cpu = (stats?.cpuSeconds ?? 0) - cpu0;
    return {
      flow: c.label,
      records: count,
      'message B': ceiling.messageBytes,
      seconds: round(progress.seconds),
      'rec/s': Math.round(rate),
      'rec/s steady (p10–p90)': Math.round(steadyRate(progress.samples, count)),
      'ProducerPerformance rec/s': Math.round(ceiling.producerRecordsPerSecond),
      'ratio to producer ceiling': ratio(
        rate,
        ceiling.producerRecordsPerSecond,
      ),
      target: c.target,
      'CPU s / 1k records': round((1000 * cpu) / count, 3),
      'peak RSS MB': Math.round(stats?.peakRssMb ?? 0),
      'documents out': metricValue(
        metrics,
        'kingbridge_transform_records_total',
        {
          flow: flow.id,
          outcome: 'out',
        },
      ),
      'dead-lettered': metricValue(
        metrics,
        'kingbridge_transform_records_total',
        {
          flow: flow.id,
          outcome: 'failed',
        },
      ),
    };
  } catch (err) {
    throw new Error(
      `${String(err)}\ntransform log tail:\n${proc.logs().slice(-3000)}`,
    );
  } finally {
    await proc.stop();
  }
}

/** The first dead-letter reason as a column, only when there was one (a bench input the plan refuses). */
export function deadLetterReason(proc: ServiceProcess): Row {
  const reason = proc.firstDeadLetter();
  return reason ? { 'first dead-letter': reason } : {};
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export const transformScenario: Scenario = {
  name: 'transform',
  title: 'Transform through Kafka, one process',
  needs: ['ceiling'],
  async run(ctx) {
    await benchLookups(ctx);
    const rows: Row[] = [];
    // BENCH_TRANSFORM_CASES=1,2: only these cases (1-based; a quicker loop while profiling).
    const only = (process.env['BENCH_TRANSFORM_CASES'] ?? '')
      .split(',')
      .filter(Boolean)
      .map(Number);
    for (const c of CASES.filter(
      (_, i) => only.length === 0 || only.includes(i + 1),
    ))
      rows.push(
        await runCase(
          ctx,
          c,
          ctx.smoke ? 300 : c.platform === 'wdt' ? 40_000 : 30_000,
        ),
      );
    const notes = rows.map((r) => {
      const got = Number(r['ratio to producer ceiling']);
      const target = Number(r['target']);
      return got >= target
        ? `${String(r['flow'])}: ${got} of the producer ceiling, target ${target} met.`
        : `${String(r['flow'])}: ${got} of the producer ceiling, target ${target} missed by ${round(target - got)} (${Math.round((100 * got) / target)} % of the target).`;
    });
    for (const r of rows)
      if (Number(r['peak RSS MB']) >= TARGET_RSS_MB)
        notes.push(
          `${String(r['flow'])}: peak RSS ${String(r['peak RSS MB'])} MB, over the ${TARGET_RSS_MB} MB target.`,
        );
    notes.push(
      "rec/s = N / (process ready → every record committed); the merged flow's documents are emitted when its windows close (not in this figure); lookups come from Postgres through the service's cache.",
    );
    return { rows, notes };
  },
};
