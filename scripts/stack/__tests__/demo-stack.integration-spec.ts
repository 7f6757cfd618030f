import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATUS_TOPIC, statusEventSchema } from '@kingbridge/contracts';
import {
  createKafkaConnection,
  readTopic,
  type KafkaConnection,
} from '@kingbridge/kafka';
import { createLogger } from '@kingbridge/observability';
import { dropDatabase, ensureDatabase } from '@kingbridge/persistence';
import { pollUntil } from '@kingbridge/testing';
import { loadLookups } from '../../lookups';
import { migrateAll } from '../../migrate';
import { lookupTables } from '../demo-master-data';
import type { ProcessGroup } from '../process-group';
import {
  CONNECTORS,
  ROOT,
  SERVICE_PORTS,
  SIMULATOR_PORTS,
  simulatorPort,
  demoStackEnv,
  infra,
  simulatorUrls,
  startStack,
} from '../stack';
import { demoServiceEnv } from '../demo-credentials';

/*
 * The main job as `npm start` runs it (same processes, same demo overrides, the live scenario with arrivals and
 * modifications), beside it: its own free ports (offset), broker (fresh), database and logs. The
 * operator's reconciliation (scripts/reconcile.ts --all) over the last hour must find nothing missing, extra or
 * duplicate while records keep arriving, with what is on its way reported as in flight.
 */

// Several test runs may run this file at once (a full npm test beside a single-file run): every resource is this
// run's own (ports, broker, database, logs), chosen free at start.
const RUN = randomBytes(4).toString('hex');
let OFFSET = 20_000;
let BROKERS = '';
let KAFKA_ENV: Record<string, string> = {};
const DATABASE_URL = `postgres://postgres@127.0.0.1:5432/kingbridge_stack_it_${RUN}`;
const RUN_DIR = join(ROOT, `.cache/stack-it/${RUN}`);
const LOG_DIR = join(RUN_DIR, 'logs');

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

/** A port offset under which every port of the stack is free, and a free broker + controller port pair. */
async function chooseFreePorts(): Promise<void> {
  const stackPorts = [
    ...Object.values(SIMULATOR_PORTS),
    ...Object.values(SERVICE_PORTS),
    ...CONNECTORS.map((c) => c.port),
  ];
  const offsets = Array.from({ length: 40 }, (_, i) => 20_000 + i * 300).sort(
    () => Math.random() - 0.5,
  );
  for (const offset of offsets) {
    const ports = stackPorts.map((p) => p + offset);
    const kafkaPort = 19_092 + offset + 200;
    const all = [...ports, kafkaPort, kafkaPort + 1];
    if ((await Promise.all(all.map(portFree))).every(Boolean)) {
      OFFSET = offset;
      BROKERS = `127.0.0.1:${kafkaPort}`;
      KAFKA_ENV = {
        KAFKA_PORT: String(kafkaPort),
        KAFKA_CONTROLLER_PORT: String(kafkaPort + 1),
        KAFKA_STATE_DIR: join(RUN_DIR, 'kafka'),
        KAFKA_FRESH: '1',
      };
      return;
    }
  }
  throw new Error('no free port range for the stack test');
}
const run = promisify(execFile);

const sim = (name: string): string =>
  `http://127.0.0.1:${simulatorPort(name) + OFFSET}`;

interface FlowReport {
  flow: string;
  scope: string;
  counts: Record<string, number>;
  inFlight: unknown[];
  changed: Array<{
    billNo: string;
    written: { qty: number };
    source: { qty: number };
  }>;
}

/** `scripts/reconcile.ts` as an operator runs it in a second shell, pointed at this stack. */
async function reconcile(
  args: readonly string[],
): Promise<{ code: number; json: unknown; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [
        join(ROOT, 'node_modules/tsx/dist/cli.mjs'),
        join(ROOT, 'scripts/reconcile.ts'),
        '--demo',
        '--port-offset',
        String(OFFSET),
        '--json',
        ...args,
      ],
      {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL },
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    return { code: 0, json: JSON.parse(stdout) as unknown, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number' || !e.stdout) throw err;
    return {
      code: e.code,
      json: JSON.parse(e.stdout) as unknown,
      stderr: e.stderr ?? '',
    };
  }
}

const beijing = (ms: number): string =>
  new Date(ms + 8 * 3_600_000).toISOString().replace('T', ' ').slice(0, 19);

/** One more unit, written as the platform writes quantities (WDT: decimal strings such as '2.0000'). */
function plusOne(qty: unknown): string | number {
  if (typeof qty === 'number') return qty + 1;
  const text = String(qty);
  const decimals = text.includes('.') ? text.split('.')[1]!.length : 0;
  return (Number(text) + 1).toFixed(decimals);
}

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return res.json() as Promise<unknown>;
}

type Records = {
  records: Array<{
    id: string;
    versions: Array<{ data: Record<string, unknown> }>;
  }>;
};

async function metric(port: number, name: string, labels: string[]) {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text
    .split('\n')
    .filter(
      (l) => l.startsWith(`${name}{`) && labels.every((x) => l.includes(x)),
    )
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

describe('the main job, reconciled as an operator does while it runs', () => {
  let group: ProcessGroup | undefined;
  let kafka: KafkaConnection;

  beforeAll(async () => {
    await chooseFreePorts();
    mkdirSync(LOG_DIR, { recursive: true });
    infra('kafka', 'up', KAFKA_ENV);
    kafka = createKafkaConnection({
      brokers: [BROKERS],
      clientId: 'stack-it',
      logger: createLogger('stack-it', 'error'),
    });
    await dropDatabase(DATABASE_URL);
    await ensureDatabase(DATABASE_URL);
    await migrateAll(DATABASE_URL);
    await loadLookups(DATABASE_URL, lookupTables());
    const scenario = join(ROOT, 'deploy/local/scenario.live.yaml');
    group = await startStack({
      databaseUrl: DATABASE_URL,
      kafkaBrokers: BROKERS,
      logDir: LOG_DIR,
      adminToken: 'stack-it-admin-token-5d1c7e',
      portOffset: OFFSET,
      logLevel: 'warn',
      scenarioFile: existsSync(scenario) ? scenario : undefined,
      extraEnv: demoStackEnv(),
    });
  }, 240_000);

  afterAll(async () => {
    await group?.stopAll(10_000);
    if (KAFKA_ENV['KAFKA_PORT'])
      infra('kafka', 'down', { ...KAFKA_ENV, KAFKA_FRESH: '0' });
    await dropDatabase(DATABASE_URL).catch(() => undefined);
    rmSync(join(RUN_DIR, 'kafka'), { recursive: true, force: true });
  }, 60_000);

  it('should reconcile every flow over the last hour with nothing missing, extra or duplicate while records keep arriving', async () => {
    // Every flow wrote, and the slowest stream (plans poll every 1-5 min) checkpointed past the start.
    const start = Date.now();
    await pollUntil(
      async () => {
        const written = await metric(
          SERVICE_PORTS['status-exporter'] + OFFSET,
          'kingbridge_documents_total',
          ['outcome="written"'],
        );
        const flows = new Set(
          (
            await (
              await fetch(
                `http://127.0.0.1:${SERVICE_PORTS['status-exporter'] + OFFSET}/metrics`,
              )
            ).text()
          )
            .split('\n')
            .filter(
              (l) =>
                l.startsWith('kingbridge_documents_total{') &&
                l.includes('outcome="written"'),
            )
            .map((l) => /flow="([^"]+)"/.exec(l)?.[1]),
        );
        return written > 0 && flows.size >= 5 && Date.now() - start > 60_000;
      },
      {
        timeoutMs: 180_000,
        intervalMs: 2_000,
        description: 'every flow wrote a document',
      },
    );

    const { code, json, stderr } = await reconcile([
      '--all',
      '--from',
      'now-1h',
      '--to',
      'now',
    ]);
    const result = json as { flows: FlowReport[]; failed: unknown[] };
    expect(result.failed, stderr).toEqual([]);
    expect(result.flows.map((f) => f.flow).sort()).toHaveLength(5);
    for (const f of result.flows) {
      expect(
        {
          flow: f.flow,
          missing: f.counts['missing'],
          extra: f.counts['extra'],
          duplicate: f.counts['duplicate'],
        },
        JSON.stringify(f).slice(0, 2000),
      ).toEqual({ flow: f.flow, missing: 0, extra: 0, duplicate: 0 });
      expect(f.counts['expected']).toBeGreaterThan(0);
    }
    // Up to now, records after the connectors' checkpoints are on their way: reported, not missing.
    expect(
      result.flows.reduce((n, f) => n + f.counts['inFlight']!, 0),
    ).toBeGreaterThan(0);
    expect(code).toBe(0);
    expect(stderr).toMatch(/reconcile: range .* Beijing time/);

    // Every DSGL shop of the demo world is a K3Cloud customer.
    const channels = (await getJson(
      `${sim('jackyun')}/__admin/records?entity=channels`,
    )) as Records;
    const dsgl = channels.records
      .map((r) => r.versions.at(-1)!.data)
      .filter((c) => c['companyCode'] === 'DSGL')
      .map((c) => String(c['channelCode']));
    const customers = (await getJson(
      `${sim('k3cloud')}/__admin/documents?formId=BD_Customer`,
    )) as Array<{ billNo: string }>;
    const numbers = new Set(customers.map((c) => c.billNo.toUpperCase()));
    expect(dsgl.length).toBeGreaterThan(3);
    expect(dsgl.filter((code) => !numbers.has(code.toUpperCase()))).toEqual([]);
    const shops = result.flows.find(
      (f) => f.flow === 'jackyun-shops-to-k3cloud-customer',
    )!;
    expect(shops.scope).toBe('all');
    expect(shops.counts['matched']).toBe(dsgl.length);
  }, 420_000);

  it('should list a written stock-out whose quantity changed at the source as changed after write, as the sink does once it is fetched again', async () => {
    const flow = 'wdt-stockout-to-k3cloud-outstock';
    const docs = (await getJson(
      `${sim('k3cloud')}/__admin/documents?formId=SAL_OUTSTOCK`,
    )) as Array<{ billNo: string }>;
    const bills = new Set(docs.map((d) => d.billNo));
    const stockouts = (await getJson(
      `${sim('wdt')}/__admin/records?entity=stockouts`,
    )) as Records;
    // A shipped stock-out of the last hour (the flow's query time is its consign time) already written.
    const recent = beijing(Date.now() - 50 * 60_000);
    const target = stockouts.records
      .map((r) => r.versions.at(-1)!.data)
      .find(
        (s) =>
          s['status'] === 95 &&
          bills.has(String(s['order_no'])) &&
          String(s['consign_time']) >= recent,
      );
    expect(
      target,
      'a written shipped stock-out of the last hour',
    ).toBeDefined();
    const bill = String(target!['order_no']);
    const details = target!['details_list'] as Array<Record<string, unknown>>;
    const now = beijing(Date.now());
    // One more unit on the first line, modified now.
    const changed = {
      ...target,
      modified: now,
      details_list: details.map((d, i) => ({
        ...d,
        modified: now,
        ...(i === 0 ? { goods_count: plusOne(d['goods_count']) } : {}),
      })),
    };
    const res = await fetch(`${sim('wdt')}/__admin/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        entity: 'stockouts',
        op: 'insert',
        record: changed,
      }),
    });
    expect(res.ok, await res.text()).toBe(true);

    // Reconciliation reads the source as it is now: the written document is changed after write, both sums.
    const before = (
      await reconcile(['--flow', flow, '--from', 'now-1h', '--to', 'now'])
    ).json as FlowReport;
    const item = before.changed.find((c) => c.billNo === bill);
    expect(item, JSON.stringify(before.changed)).toBeDefined();
    expect(item!.source.qty).toBe(item!.written.qty + 1);
    expect(before.counts['missing']).toBe(0);

    // WDT's shipped query windows by consign time, so the incremental pull does not see the change: the
    // operator backfills the stock-out's range, and the sink holds the change as changed after write.
    const consign = Date.parse(
      `${String(target!['consign_time']).replace(' ', 'T')}+08:00`,
    );
    await run(
      process.execPath,
      [
        join(ROOT, 'node_modules/tsx/dist/cli.mjs'),
        join(ROOT, 'scripts/backfill.ts'),
        '--connector',
        'wdt',
        '--stream',
        'wdt.stockout-order.shipped',
        '--from',
        new Date(consign - 60_000).toISOString(),
        '--to',
        new Date(consign + 60_000).toISOString(),
      ],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          ...simulatorUrls(OFFSET),
          ...demoServiceEnv(),
          DATABASE_URL,
          KAFKA_BROKERS: BROKERS,
          PLANS_DIR: join(ROOT, 'plans'),
          LOG_LEVEL: 'warn',
        },
      },
    );
    await pollUntil(
      async () =>
        (
          await readTopic(kafka, STATUS_TOPIC, {
            count: 100_000,
            timeoutMs: 3_000,
          })
        )
          .map((m) =>
            statusEventSchema.safeParse(
              JSON.parse(m.value?.toString('utf8') ?? 'null'),
            ),
          )
          .some(
            (p) =>
              p.success &&
              p.data.billNo === bill &&
              p.data.outcome === 'changed_after_write',
          ),
      {
        timeoutMs: 90_000,
        intervalMs: 3_000,
        description: `a changed_after_write status event for ${bill}`,
      },
    );
    await pollUntil(
      async () =>
        (await metric(
          SERVICE_PORTS['status-exporter'] + OFFSET,
          'kingbridge_documents_total',
          [`flow="${flow}"`, 'outcome="changed_after_write"'],
        )) > 0,
      { timeoutMs: 30_000, intervalMs: 1_000, description: 'the metric' },
    );
    // Kingdee keeps the version written: still changed after write, nothing missing.
    const after = (
      await reconcile(['--flow', flow, '--from', 'now-1h', '--to', 'now'])
    ).json as FlowReport;
    expect(after.changed.map((c) => c.billNo)).toContain(bill);
    expect(after.counts['missing']).toBe(0);
  }, 300_000);
});
