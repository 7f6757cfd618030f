/**
 * Throughput of flow 1 (seed 000: Jackyun retail orders merged into K3Cloud SAL_OUTSTOCK)
 * in one process, without Kafka: filter + key normalisation + per-record validation
 * mapping + windowed merge, then emit + map every merged document.
 *   tsx bench/transform-flow1.bench.ts [records=200000]
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import {
  UsageError,
  parseCliArgs,
  runCliCommand,
  runIfStartedAs,
} from '@kingbridge/config';
import type { RawRecord } from '@kingbridge/contracts';
import { contentHash } from '@kingbridge/pipeline-core';
import {
  InMemoryLookupProvider,
  compileFlow,
  parsePlan,
} from '@kingbridge/transform-engine';

const FLOW = 'jackyun-retail-orders-to-k3cloud-outstock';
const SHOPS = 50;
const WAREHOUSES = 3;
const DAYS = 5;

function records(from: number, n: number): RawRecord[] {
  const out: RawRecord[] = [];
  for (let i = from; i < from + n; i += 1) {
    const lines = 1 + (i % 4);
    const day = 1 + (i % DAYS);
    const second = i % 86_400;
    const time = `${String(Math.floor(second / 3600)).padStart(2, '0')}:${String(Math.floor((second % 3600) / 60)).padStart(2, '0')}:${String(second % 60).padStart(2, '0')}`;
    const payload = {
      TradeNo: `JY${i}`,
      TradeId: `7${String(i).padStart(17, '0')}`,
      TradeStatus: i % 10 === 0 ? 5010 : 6000,
      TradeType: 1,
      Shopcode: `SHOP-${i % SHOPS}`,
      ShopName: `店铺${i % SHOPS}`,
      WarehouseCode: `WH-${i % WAREHOUSES}`,
      WarehouseName: '主仓',
      ConsignTime: `2026-05-0${day} ${time}`,
      IsDelete: '0',
      GoodsDetail: Array.from({ length: lines }, (_v, j) => ({
        GoodsNo: `G${(i * 7 + j) % 500}`,
        GoodsName: `商品${(i * 7 + j) % 500}`,
        SellCount: 1 + ((i + j) % 3),
        SellPrice: '19.90',
        ShareFavourableAfterFee: `${(i % 997) + 1}.${String((i + j) % 100).padStart(2, '0')}`,
        IsGift: 0,
      })),
    };
    out.push({
      schemaVersion: 1,
      platform: 'jackyun',
      entity: 'sales-order',
      stream: 'jackyun.sales-order.retail-shipped',
      sourceId: payload.TradeNo,
      modifiedAt: '2026-05-06T00:00:00.000Z',
      contentHash: contentHash(payload),
      payload,
      runId: 'bench',
      fetchedAt: '2026-05-06T00:00:00.000Z',
    });
  }
  return out;
}

/** Records arrive in consumer-sized batches; only processing time is measured. */
const BATCH = 5_000;

function run(
  total: number,
  validateOnAdd: boolean,
): {
  seconds: number;
  cpuSeconds: number;
  documents: number;
  filtered: number;
  failed: number;
} {
  const plan = parsePlan(
    readFileSync(join('plans', `${FLOW}.yaml`), 'utf8'),
    FLOW,
  );
  const orgs = Array.from({ length: SHOPS }, (_v, i) => ({
    shop_code: `SHOP-${i}`,
    sale_org_number: '101',
    stock_org_number: '201',
  }));
  const lookups = new InMemoryLookupProvider({ orgs });
  const flow = compileFlow(plan, {
    lookups,
    validateOnAdd,
    clock: () => Date.parse('2026-05-06T00:00:00.000Z'),
  });
  let filtered = 0;
  let failed = 0;
  let documents = 0;
  let wallNs = 0n;
  let cpuUs = 0;
  const measure = (work: () => void): void => {
    const started = process.hrtime.bigint();
    const cpuStarted = process.cpuUsage();
    work();
    const cpu = process.cpuUsage(cpuStarted);
    cpuUs += cpu.user + cpu.system;
    wallNs += process.hrtime.bigint() - started;
  };
  for (let from = 0; from < total; from += BATCH) {
    const batch = records(from, Math.min(BATCH, total - from));
    measure(() => {
      for (const raw of batch) {
        const r = flow.process(raw);
        if (r.outcome === 'filtered') filtered += 1;
        else if (r.outcome === 'failed') failed += 1;
      }
    });
  }
  measure(() => {
    for (const key of flow.openWindows()) {
      const emitted = flow.emitWindow(key);
      if ('document' in emitted) documents += 1;
      else failed += 1;
      flow.markEmitted(key);
    }
  });
  return {
    seconds: Number(wallNs) / 1e9,
    cpuSeconds: cpuUs / 1e6,
    documents,
    filtered,
    failed,
  };
}

export const FLOW1_BENCH_USAGE = `usage: tsx bench/transform-flow1.bench.ts [records]
  flow 1 in one process (no Kafka, no database): records/s with and without validation on add (default 200000)`;

runIfStartedAs('bench/transform-flow1.bench', 'transform-flow1', (argv) =>
  runCliCommand(
    argv,
    { name: 'transform-flow1', usage: FLOW1_BENCH_USAGE },
    async (args) => {
      const { positionals } = parseCliArgs(args, { allowPositionals: true });
      const [count = '200000', extra] = positionals;
      if (extra !== undefined)
        throw new UsageError(`unexpected argument ${extra}`);
      const N = Number(count);
      if (!Number.isInteger(N) || N < 1)
        throw new UsageError(`records: not a positive number: ${count}`);
      run(20_000, true); // warm-up
      for (const validateOnAdd of [true, false]) {
        const r = run(N, validateOnAdd);
        process.stdout.write(
          `${FLOW} validateOnAdd=${validateOnAdd}: ${N} records (${r.filtered} filtered, ${r.failed} failed) -> ${r.documents} documents in ${r.seconds.toFixed(2)} s wall = ${Math.round(N / r.seconds).toLocaleString('en-US')} records/s (${r.cpuSeconds.toFixed(2)} s cpu = ${Math.round(N / r.cpuSeconds).toLocaleString('en-US')} records/cpu-s)\n`,
        );
      }
      process.stdout.write(
        `node ${process.version}, ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown cpu'}, load average ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}\n`,
      );
      return 0;
    },
  ),
);
