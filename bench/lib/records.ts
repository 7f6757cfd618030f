/*
 * Raw records for the benchmarks, made by the source simulators' own generators (the dataset specs the
 * simulators serve from) and shaped the way each simulator answers the connector's query, then wrapped in the
 * raw envelope the source connector publishes. Only records the flow's query selects are kept (the connector
 * asks the platform for them: Jackyun tradeType 1 with tradeStatus ≥ 6000, WDT status 95).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RawRecord } from '@kingbridge/contracts';
import { contentHash } from '@kingbridge/pipeline-core';
import { parse } from 'yaml';
import {
  createPrng,
  GIFTS,
  GOODS,
  jackyunTradeSpec,
  wdtStockoutSpec,
  xiaomanOrderSpec,
} from '@kingbridge/simulators';

export const ROOT = join(__dirname, '..', '..');

export type BenchPlatform = 'jackyun' | 'wdt' | 'xiaoman';

interface PlanSource {
  readonly platform: string;
  readonly entity: string;
  readonly stream: string;
  readonly params?: Record<string, unknown>;
}

export function planSource(planFile: string): PlanSource {
  const plan = parse(readFileSync(join(ROOT, 'plans', planFile), 'utf8')) as {
    source: PlanSource;
  };
  return plan.source;
}

const PLAN_OF: Record<BenchPlatform, string> = {
  jackyun: 'jackyun-retail-orders-to-k3cloud-outstock.yaml',
  wdt: 'wdt-stockout-to-k3cloud-outstock.yaml',
  xiaoman: 'xiaoman-orders-to-k3wise-so.yaml',
};

const pascal = (name: string): string =>
  name.charAt(0).toUpperCase() + name.slice(1);

function project(
  record: Readonly<Record<string, unknown>>,
  names: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record))
    if (names.includes(k)) out[pascal(k)] = v;
  return out;
}

/** What the Jackyun simulator answers for the plan's `fields` (PascalCase keys on the direct gateway). */
function jackyunAnswer(
  fields: string,
): (t: Record<string, unknown>) => Record<string, unknown> {
  const all = fields.split(',').map((f) => f.trim());
  const top = all.filter((f) => !f.includes('.') && f !== 'scrollId');
  const goods = all
    .filter((f) => f.startsWith('goodsDetail.'))
    .map((f) => f.slice('goodsDetail.'.length));
  return (t) => ({
    ...project(t, top),
    GoodsDetail: (t['goodsDetail'] as Record<string, unknown>[]).map((l) =>
      project(l, goods),
    ),
  });
}

/** Sales orders the WDT stock-outs of the bench link to (FEntity_Link through k3_sale_order_entries). */
export const BENCH_SALE_ORDERS = 50;

export function benchSaleOrderNo(n: number): string {
  return `SO-BENCH-${n % BENCH_SALE_ORDERS}`;
}

/** k3_sale_order_entries rows: every bench sales order has an entry for every catalog goods number. */
export function benchSaleOrderEntries(): Record<string, unknown>[] {
  const goods = [...new Set([...GOODS, ...GIFTS].map((g) => g.goodsNo))];
  return Array.from({ length: BENCH_SALE_ORDERS }, (_, k) =>
    goods.map((number, j) => ({
      bill_no: benchSaleOrderNo(k),
      material_number: number,
      fid: 700_000 + k,
      entry_id: 800_000 + k * goods.length + j,
    })),
  ).flat();
}

interface Generator {
  /** Next selected record's payload (the platform's answer for one record), its id and modified time. */
  next(at: number): { id: string; payload: Record<string, unknown> };
}

function generator(platform: BenchPlatform, seed: number): Generator {
  const prng = createPrng(seed);
  let seq = 0;
  if (platform === 'jackyun') {
    const answer = jackyunAnswer(
      String(planSource(PLAN_OF.jackyun).params?.['fields'] ?? ''),
    );
    return {
      next(at) {
        for (;;) {
          const t = jackyunTradeSpec.generate(prng, ++seq, at);
          const r = t as unknown as Record<string, unknown>;
          if (Number(r['tradeStatus']) >= 6000 && Number(r['tradeType']) === 1)
            return { id: jackyunTradeSpec.idOf(t), payload: answer(r) };
        }
      },
    };
  }
  if (platform === 'wdt') {
    return {
      next(at) {
        for (;;) {
          const s = wdtStockoutSpec.generate(prng, ++seq, at);
          if (s.status !== 95) continue;
          const payload = s as unknown as Record<string, unknown>;
          // Its upstream sales order is one the bench's K3Cloud lookup rows hold (benchSaleOrderEntries).
          payload['src_trade_no'] = benchSaleOrderNo(seq);
          return { id: wdtStockoutSpec.idOf(s), payload };
        }
      },
    };
  }
  return {
    next(at) {
      const o = xiaomanOrderSpec.generate(prng, ++seq, at);
      const { delete_time: _deleted, ...visible } = o as unknown as Record<
        string,
        unknown
      >;
      return { id: xiaomanOrderSpec.idOf(o), payload: visible };
    },
  };
}

export interface RecordOptions {
  readonly seed?: number;
  /** The stream id of the raw envelope (a bench flow's own stream). */
  readonly stream?: string;
  /** Creation time of the generated records (ms); default now. */
  readonly at?: (index: number) => number;
  /** Changes a payload before it is wrapped (unique bill numbers, times). */
  readonly edit?: (payload: Record<string, unknown>, index: number) => void;
  /** The raw envelope's source id (default: the generated record's id). */
  readonly sourceId?: (
    payload: Record<string, unknown>,
    index: number,
  ) => string;
}

/** `count` raw envelopes of `platform`, as the source connector publishes them. */
export function rawRecords(
  platform: BenchPlatform,
  count: number,
  options: RecordOptions = {},
): RawRecord[] {
  const source = planSource(PLAN_OF[platform]);
  const gen = generator(platform, options.seed ?? 17);
  const out: RawRecord[] = [];
  const fetchedAt = new Date().toISOString();
  for (let i = 0; i < count; i++) {
    const at = options.at?.(i) ?? Date.now();
    const { id, payload } = gen.next(at);
    options.edit?.(payload, i);
    out.push({
      schemaVersion: 1,
      platform: source.platform as RawRecord['platform'],
      entity: source.entity as RawRecord['entity'],
      stream: options.stream ?? source.stream,
      sourceId: options.sourceId?.(payload, i) ?? id,
      modifiedAt: new Date(at).toISOString(),
      contentHash: contentHash(payload),
      payload,
      runId: 'bench',
      fetchedAt,
    });
  }
  return out;
}

/** Median JSON size in bytes of the raw envelopes of `platform` (what one raw topic message weighs). */
export function medianMessageBytes(
  platform: BenchPlatform,
  sample = 2000,
): number {
  const sizes = rawRecords(platform, sample)
    .map((r) => Buffer.byteLength(JSON.stringify(r)))
    .sort((a, b) => a - b);
  return sizes[Math.floor(sizes.length / 2)] ?? 0;
}
