import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dlqTopic, isDlqTopic } from '@kingbridge/contracts';
import { allTopics, rawTopic } from '@kingbridge/source-registry';
import {
  createKafkaConnection,
  createProducer,
  type KafkaConnection,
} from '@kingbridge/kafka';
import { createLogger } from '@kingbridge/observability';
import { pollUntil } from '@kingbridge/testing';
import { type ReconcileReport } from '@kingbridge/reconcile';
import { loadPlans, type SyncPlan } from '@kingbridge/transform-engine';
import {
  allPanelQueries,
  queryPrometheus,
  resultSize,
  allRuleExpressions,
} from '@kingbridge/deploy';
import { loadLookups, readLookupTable } from '@kingbridge/scripts';
import {
  listTopicDeadLetters,
  replayTopicDeadLetters,
} from '@kingbridge/kafka';
import {
  demoSecrets,
  CONNECTORS,
  ROOT,
  SERVICE_PORTS,
  SIMULATOR_PORTS,
  simulatorPort,
} from '@kingbridge/stack';
import {
  E2E_LOOKBACK_MS,
  E2E_PORT_OFFSET,
  startE2eStack,
  type E2eStack,
} from './e2e-stack';
import { metricsOf, metricsText, sumOf } from './e2e-metrics.util';

const KINGDEE = {
  k3cloud: SIMULATOR_PORTS.k3cloud,
  jdy: SIMULATOR_PORTS.jdy,
  k3wise: SIMULATOR_PORTS.k3wise,
} as const;

const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');

const sim = (name: string): string =>
  `http://127.0.0.1:${simulatorPort(name) + E2E_PORT_OFFSET}`;

async function admin(
  name: keyof typeof SIMULATOR_PORTS,
  path: string,
  body: unknown,
): Promise<unknown> {
  const res = await fetch(`${sim(name)}/__admin/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  expect(res.ok, `${name} ${path}: ${res.status} ${text}`).toBe(true);
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

const T0 = Date.now();
/** Progress on stderr (vitest shows it as it happens), to see where the time goes. */
function mark(what: string): void {
  process.stderr.write(
    `e2e +${((Date.now() - T0) / 1000).toFixed(0)}s ${what}\n`,
  );
}

/** Every data topic of the pipeline (raw, outbound, status): each gets one malformed message. */
const MALFORMED_TOPICS = allTopics()
  .map((t) => t.name)
  .filter((name) => !isDlqTopic(name));
const MALFORMED_KEY = `e2e-malformed-${Date.now()}`;
/** A shop the master data does not know: the jackyun retail order flow's `orgs` lookup fails. */
const UNKNOWN_SHOP = 'E2ENEW';

/** Copies a generated jackyun trade into a new one of an unknown shop, modified now. */
async function insertUnknownShopTrade(): Promise<void> {
  const listed = (await (
    await fetch(`${sim('jackyun')}/__admin/records?entity=trades`)
  ).json()) as unknown;
  // { records: [{ id, versions: [{ version, at, data }] }] }
  const histories =
    (
      listed as {
        records?: Array<{
          versions?: Array<{ data?: Record<string, unknown> }>;
        }>;
      }
    ).records ?? [];
  const template = histories.at(-1)?.versions?.at(-1)?.data;
  expect(template, 'a jackyun trade to copy').toBeDefined();
  // Jackyun times are Beijing time (UTC+8) without a zone.
  const now = new Date(Date.now() + 8 * 3_600_000)
    .toISOString()
    .replace('T', ' ')
    .slice(0, 19);
  const tradeId = `9${Date.now()}`;
  await admin('jackyun', 'records', {
    entity: 'trades',
    op: 'insert',
    record: {
      ...template,
      tradeId,
      tradeNo: `JY${tradeId}`,
      // Whatever the copied trade was: a shipped retail trade, which the flow's query and filter select.
      tradeStatus: 6000,
      tradeStatusExplain: '发货在途',
      tradeType: 1,
      isDelete: 0,
      shopcode: UNKNOWN_SHOP,
      gmtModified: now,
      gmtCreate: now,
      tradeTime: now,
      consignTime: now,
      auditTime: now,
    },
  });
}

interface StoredDoc {
  readonly billNo: string;
  readonly writeCount: number;
  readonly duplicateRejections?: number;
}

async function kingdeeDocuments(
  target: keyof typeof KINGDEE,
): Promise<StoredDoc[]> {
  const res = await fetch(
    `http://127.0.0.1:${KINGDEE[target] + E2E_PORT_OFFSET}/__admin/documents`,
  );
  expect(res.ok, `${target} documents`).toBe(true);
  return (await res.json()) as StoredDoc[];
}

async function kingdeeDocumentCount(): Promise<number> {
  let n = 0;
  for (const target of Object.keys(KINGDEE) as Array<keyof typeof KINGDEE>)
    n += (await kingdeeDocuments(target)).length;
  return n;
}

async function writtenByFlow(): Promise<Record<string, number>> {
  const samples = await metricsOf(
    SERVICE_PORTS['status-exporter'] + E2E_PORT_OFFSET,
  );
  const out: Record<string, number> = {};
  for (const s of samples) {
    if (
      s.name === 'kingbridge_documents_total' &&
      s.labels.outcome === 'written'
    ) {
      out[s.labels.flow as string] =
        (out[s.labels.flow as string] ?? 0) + s.value;
    }
  }
  return out;
}

describe('pipeline end to end (isolated stack: own Kafka, Postgres database and Prometheus)', () => {
  let stack: E2eStack;
  let plans: SyncPlan[];
  let kafka: KafkaConnection;

  beforeAll(async () => {
    plans = (await loadPlans(join(ROOT, 'plans'))).map((p) => p.plan);
    stack = await startE2eStack();
    kafka = createKafkaConnection({
      brokers: [stack.kafkaBrokers],
      clientId: 'pipeline-e2e',
      logger: createLogger('pipeline-e2e', 'warn'),
    });
    // Simulator faults through their admin endpoints, for the whole run.
    await admin('jackyun', 'faults', {
      seed: 8,
      errorRate: 0.1,
      latency: { kind: 'exponential', meanMs: 40, maxMs: 800 },
    });
    await admin('wdt', 'faults', { seed: 9, http5xxRate: 0.1 });
    await admin('wdt', 'data', { driftPerPage: 2 });
    await admin('xiaoman', 'faults', { seed: 10, errorRate: 0.1 });
    await admin('jushuitan', 'faults', {
      seed: 11,
      latency: { kind: 'uniform', minMs: 0, maxMs: 600 },
    });
    await admin('k3cloud', 'faults', {
      seed: 12,
      lostResponseRate: 0.05,
      errorRate: 0.05,
    });
    await admin('jdy', 'faults', {
      seed: 13,
      http5xxRate: 0.1,
      latency: { kind: 'exponential', meanMs: 50, maxMs: 1500 },
    });
    await admin('k3wise', 'faults', {
      seed: 14,
      lostResponseRate: 0.05,
      htmlErrorRate: 0.05,
    });
    // Bad input early, so it is dead-lettered while the rest of the run goes on.
    const producer = createProducer(kafka);
    await producer.connect(AbortSignal.timeout(30_000));
    try {
      for (const topic of MALFORMED_TOPICS)
        await producer.send(topic, [
          { key: MALFORMED_KEY, value: '{"not": "a valid message"' },
        ]);
    } finally {
      await producer.disconnect();
    }
    await insertUnknownShopTrade();
    mark('stack started, faults on, bad input injected');
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
  }, 120_000);

  it('should write documents into Kingdee for every seed flow', async () => {
    await pollUntil(
      async () => {
        const written = await writtenByFlow();
        return plans.every((p) => (written[p.id] ?? 0) > 0)
          ? written
          : undefined;
      },
      {
        timeoutMs: 240_000,
        intervalMs: 2_000,
        description: 'every flow has a written document',
      },
    );
    mark('every flow written');
  });

  it('should survive kill -9 of every service and a Kafka restart without duplicate documents', async () => {
    // Kingdee's own count: the exporter's counters restart from 0 when it is killed.
    const before = await kingdeeDocumentCount();
    await admin('k3cloud', 'session-expire-now', {});
    for (const name of [
      ...CONNECTORS.map((c) => `source-connector-${c.id}`),
      'transform',
      'sink-kingdee',
      'status-exporter',
    ]) {
      await stack.kill9AndRestart(name);
      mark(`${name} killed and back`);
    }
    await admin('jdy', 'session-expire-now', {});
    stack.kafkaDown();
    stack.kafkaUp();
    mark('kafka restarted');
    await stack.waitAllReady();
    mark('every service ready again');
    await admin('k3cloud', 'session-expire-now', {});
    await pollUntil(
      async () => ((await kingdeeDocumentCount()) > before ? true : undefined),
      {
        timeoutMs: 120_000,
        intervalMs: 2_000,
        description: 'documents keep being written after the faults',
      },
    );
    mark('documents written after the faults');
    for (const target of Object.keys(KINGDEE) as Array<keyof typeof KINGDEE>) {
      const docs = await kingdeeDocuments(target);
      const byBill = new Map<string, number>();
      for (const d of docs)
        byBill.set(d.billNo, (byBill.get(d.billNo) ?? 0) + 1);
      const duplicated = [...byBill.entries()].filter(([, n]) => n > 1);
      expect(duplicated, `${target}: bills stored more than once`).toEqual([]);
    }
  });

  it('should dead-letter a malformed message on every topic with its reason', async () => {
    for (const topic of MALFORMED_TOPICS) {
      const letters = await pollUntil(
        async () => {
          const found = await listTopicDeadLetters(kafka, dlqTopic(topic), {
            key: MALFORMED_KEY,
          }).catch(() => []);
          return found.length > 0 ? found : undefined;
        },
        {
          timeoutMs: 60_000,
          intervalMs: 2_000,
          description: `malformed message in ${dlqTopic(topic)}`,
        },
      );
      expect(letters[0]?.letter.originalTopic).toBe(topic);
      expect(letters[0]?.letter.errorClass, topic).toMatch(
        /schema|validation|bad_response/,
      );
      expect(letters[0]?.letter.errorMessage.length, topic).toBeGreaterThan(0);
    }
    mark('malformed messages dead-lettered');
  });

  it('should dead-letter a lookup failure and write it exactly once after the master data is added and it is replayed', async () => {
    const shop = UNKNOWN_SHOP;
    const raw = rawTopic('jackyun', 'sales-order');
    const letters = await pollUntil(
      async () => {
        const found = (
          await listTopicDeadLetters(kafka, dlqTopic(raw), {
            errorClass: 'lookup',
          })
        ).filter((l) => l.letter.errorMessage.includes(shop));
        return found.length > 0 ? found : undefined;
      },
      {
        timeoutMs: 90_000,
        intervalMs: 2_000,
        description: 'the unknown shop is dead-lettered with the lookup reason',
      },
    );
    expect(letters[0]?.letter.flow).toBe(
      'jackyun-retail-orders-to-k3cloud-outstock',
    );
    expect(letters[0]?.letter.errorMessage).toMatch(/orgs/);

    const orgs = await readLookupTable(stack.databaseUrl, 'orgs');
    const known = orgs[0] ?? {
      sale_org_number: '101',
      stock_org_number: '100',
    };
    // The master data of a new shop: its organisations in the transform's lookup table and its customer
    // (the shop itself, as flow 3 syncs them) in K3Cloud, which checks FCustomerID on save.
    await admin('k3cloud', 'master-data', {
      formId: 'BD_Customer',
      records: [{ number: shop, name: `E2E 新店 ${shop}`, status: 'C' }],
    });
    await loadLookups(stack.databaseUrl, {
      orgs: [...orgs, { ...known, shop_code: shop }],
    });
    // The transform re-reads a lookup table once its cache is LOOKUP_CACHE_TTL_MS (1 s here) old: a replay
    // sooner may still meet the old table (and be dead-lettered again, nothing lost).
    const loadedAt = Date.now();
    await pollUntil(
      async () => (Date.now() - loadedAt > 1_500 ? true : undefined),
      { timeoutMs: 5_000, intervalMs: 250, description: 'lookup cache TTL' },
    );
    await replayTopicDeadLetters(kafka, dlqTopic(raw), {
      offsets: letters.map((l) => l.dlqOffset),
    });
    mark('lookup failure replayed');

    const docs = await pollUntil(
      async () => {
        const found = (await kingdeeDocuments('k3cloud')).filter((d) =>
          d.billNo.includes(shop),
        );
        return found.length > 0 ? found : undefined;
      },
      {
        timeoutMs: 120_000,
        intervalMs: 2_000,
        description: 'the replayed record is written into K3Cloud',
      },
    );
    expect(
      docs.map((d) => `${d.billNo} (writes ${d.writeCount})`),
      'one document for the replayed record',
    ).toHaveLength(1);
    expect(docs[0]?.writeCount).toBe(1);
    mark('replayed record written once');
  });

  it('should answer 401 on the admin endpoints without the token or with a wrong one', async () => {
    const base = `http://127.0.0.1:${SERVICE_PORTS['sink-kingdee'] + E2E_PORT_OFFSET}`;
    const probes = [
      ['GET', '/admin/dead-letters'],
      ['POST', '/admin/replay'],
      ['GET', '/admin/trace?sourceId=1'],
      ['GET', '/admin/ledger/x'],
    ] as const;
    for (const [method, path] of probes) {
      const none = await fetch(`${base}${path}`, { method });
      expect(none.status, `${method} ${path} without a token`).toBe(401);
      const wrong = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${stack.adminToken}x` },
      });
      expect(wrong.status, `${method} ${path} with a wrong token`).toBe(401);
    }
    const ok = await fetch(`${base}/admin/dead-letters`, {
      headers: { authorization: `Bearer ${stack.adminToken}` },
    });
    expect(ok.status, 'with the token').toBe(200);
  });

  it('should have been throttled by the platforms and kept going', async () => {
    // The e2e scenario gives the Xiaoman simulator a lower limit than the connector assumes (3/s against 5/s,
    // an OKKI page costs a list call plus one call per order); the simulator counts what it throttled (the
    // connector's counters restart with each kill -9), and the reconciliation below proves nothing was lost.
    const stats = (await (
      await fetch(`${sim('xiaoman')}/__admin/stats`)
    ).json()) as { byOutcome?: { throttled?: number; ok?: number } };
    expect(
      stats.byOutcome?.throttled ?? 0,
      'throttled answers',
    ).toBeGreaterThan(0);
    expect(stats.byOutcome?.ok ?? 0, 'accepted answers').toBeGreaterThan(0);
  });

  it('should report no duplicate and no pending document for any flow after the faults', async () => {
    await admin('jackyun', 'faults', { errorRate: 0 });
    for (const target of Object.keys(KINGDEE) as Array<keyof typeof KINGDEE>) {
      const docs = await kingdeeDocuments(target);
      const byBill = new Map<string, number>();
      for (const d of docs)
        byBill.set(
          d.billNo.toUpperCase(),
          (byBill.get(d.billNo.toUpperCase()) ?? 0) + 1,
        );
      expect(
        [...byBill.entries()].filter(([, n]) => n > 1),
        `${target}: bills stored twice`,
      ).toEqual([]);
    }
  });

  // The source side is read through the platforms' APIs with the flows' own queries, as a user reconciles a real
  // platform: over [first start - lookback, now), the range the connectors were asked to sync.
  it('should reconcile every flow with 0 missing and 0 duplicate documents once the sources are quiet', async () => {
    // Stop arrivals and faults, then let the pipeline drain (merge windows close on idle timeout).
    for (const source of ['jackyun', 'wdt', 'jushuitan', 'xiaoman'] as const) {
      await admin(source, 'data', {
        arrivalsPerMinute: 0,
        modificationsPerMinute: 0,
        driftPerPage: 0,
      });
      await admin(source, 'faults', {
        errorRate: 0,
        http5xxRate: 0,
        latency: { kind: 'none' },
      });
    }
    const toMs = Date.now();
    // Every stream has run past the quiet moment (plans poll every minute; a throttled scan takes a while).
    const streams = [...new Set(plans.map((p) => p.source.stream))];
    await pollUntil(
      async () => {
        const db = new Client({ connectionString: stack.databaseUrl });
        await db.connect();
        try {
          const { rows } = await db.query<{ n: string }>(
            `SELECT count(*) AS n FROM source_connector.stream_checkpoint
              WHERE stream_id = ANY($1) AND checkpoint_at >= $2`,
            [streams, new Date(toMs)],
          );
          return Number(rows[0]?.n) === streams.length ? true : undefined;
        } finally {
          await db.end();
        }
      },
      {
        timeoutMs: 240_000,
        intervalMs: 2_000,
        description: 'every stream checkpointed past the quiet moment',
      },
    );
    mark('every stream caught up');
    // A margin after the connectors' first window start (their first start - lookback, a few seconds after
    // readyAt - lookback at most): a record before it may legitimately be out of the synced range.
    const fromMs = stack.readyAt - E2E_LOOKBACK_MS + 60_000;
    // The operator's command, as in a second shell (README): the pipeline's own settings, state and lookups.
    const reconcileAll = async (
      source: 'api' | 'simulator',
    ): Promise<ReconcileReport[]> => {
      const args = [
        TSX,
        join(ROOT, 'scripts/reconcile.ts'),
        '--all',
        '--demo',
        '--port-offset',
        String(E2E_PORT_OFFSET),
        '--json',
        '--source',
        source,
        '--from',
        new Date(fromMs).toISOString(),
        '--to',
        new Date(toMs).toISOString(),
      ];
      const out = await promisify(execFile)(process.execPath, args, {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: stack.databaseUrl },
        maxBuffer: 64 * 1024 * 1024,
      }).catch((err: { code?: number; stdout?: string }) => {
        // 1: differences, 2: a flow could not be reconciled (its error is in `failed`, asserted below).
        if ((err.code === 1 || err.code === 2) && err.stdout)
          return { stdout: err.stdout };
        throw err;
      });
      const parsed = JSON.parse(out.stdout) as {
        flows: ReconcileReport[];
        failed: { flow: string; error: string }[];
      };
      expect(parsed.failed).toEqual([]);
      return parsed.flows;
    };
    const clean = (r: ReconcileReport): boolean =>
      r.counts.missing === 0 &&
      r.counts.duplicate === 0 &&
      r.counts.extra === 0 &&
      r.counts.mismatch === 0;
    let last: ReconcileReport[] = [];
    await pollUntil(
      async () => {
        last = await reconcileAll('api');
        return last.every(clean) ? true : undefined;
      },
      {
        timeoutMs: 120_000,
        intervalMs: 5_000,
        description: 'reconciliation: 0 missing, extra, duplicate, mismatch',
      },
    ).catch(() => undefined);
    const summary = last.map((r) => ({
      flow: r.flow,
      ...r.counts,
      missing: r.missing
        .slice(0, 5)
        .map((m) => `${m.billNo} <- ${m.sourceIds.join(',')}`),
      duplicates: r.duplicates
        .slice(0, 5)
        .map((d) => `${d.billNo} (${d.reason}, writes ${d.writeCount})`),
    }));
    mark(
      `reconciled [flow, source records, expected, actual, missing, duplicate, extra, mismatch]: ${JSON.stringify(last.map((r) => [r.flow, r.source.records, r.counts.expected, r.counts.actual, r.counts.missing, r.counts.duplicate, r.counts.extra, r.counts.mismatch]))}`,
    );
    for (const r of summary)
      if (!clean(last.find((x) => x.flow === r.flow) as ReconcileReport))
        mark(`${r.flow}: ${JSON.stringify(r)}`);
    expect(last.map((r) => r.flow).sort()).toEqual(
      plans.map((p) => p.id).sort(),
    );
    for (const r of summary) {
      expect(r.missing, `${r.flow}: missing documents`).toEqual([]);
      expect(r.duplicates, `${r.flow}: duplicate documents`).toEqual([]);
      expect(r.extra, `${r.flow}: extra documents`).toBe(0);
      expect(r.mismatch, `${r.flow}: groups whose sums differ`).toBe(0);
    }
    // Independently of the connectors' queries: against the simulators' own record lists.
    const bySimulator = await reconcileAll('simulator');
    mark(
      `reconciled against the simulators' records [flow, records, missing, duplicate]: ${JSON.stringify(bySimulator.map((r) => [r.flow, r.source.records, r.counts.missing, r.counts.duplicate]))}`,
    );
    for (const r of bySimulator) {
      expect(r.source.records, `${r.flow}: simulator records`).toBeGreaterThan(
        0,
      );
      expect(r.duplicates, `${r.flow}: duplicates (simulator)`).toEqual([]);
      expect(
        r.missing.map((m) => m.billNo),
        `${r.flow}: missing (simulator)`,
      ).toEqual([]);
    }
    // The replayed lookup failure stays one document: later source updates that change nothing it reads
    // (the simulator edits memos) make no correction document.
    const shopDocs = (await kingdeeDocuments('k3cloud')).filter((d) =>
      d.billNo.includes(UNKNOWN_SHOP),
    );
    expect(shopDocs.map((d) => d.billNo)).toHaveLength(1);
  });

  it('should answer every rule expression and every dashboard panel query from the live Prometheus', async () => {
    const url = stack.prometheus.url;
    for (const { expr } of allRuleExpressions()) {
      const res = await queryPrometheus(url, expr);
      expect(res.status, expr).toBe('success');
    }
    const empty: string[] = [];
    await pollUntil(
      async () => {
        empty.length = 0;
        for (const q of allPanelQueries()) {
          const res = await queryPrometheus(url, q.promql);
          expect(
            res.status,
            `${q.dashboardUid} / ${q.panelTitle}: ${q.promql}`,
          ).toBe('success');
          if (!q.mayBeEmpty && resultSize(res) === 0)
            empty.push(`${q.dashboardUid} / ${q.panelTitle}: ${q.promql}`);
        }
        return empty.length === 0 ? true : undefined;
      },
      {
        timeoutMs: 90_000,
        intervalMs: 5_000,
        description: 'every panel returns data',
      },
    ).catch(() => {
      throw new Error(`panels without data:\n${empty.join('\n')}`);
    });
  });

  it('should never put a configured secret in a log line or a metric', async () => {
    const secrets = [...demoSecrets(), ...stack.secrets];
    const ports = [
      ...CONNECTORS.map((c) => c.port),
      ...Object.values(SERVICE_PORTS),
    ].map((p) => p + E2E_PORT_OFFSET);
    const pages = await Promise.all(ports.map(metricsText));
    const logs = readdirSync(stack.logDir)
      .filter((f) => f.endsWith('.log') && f !== 'simulators.log')
      .map((f) => [f, readFileSync(join(stack.logDir, f), 'utf8')] as const);
    expect(logs.length).toBeGreaterThan(5);
    for (const secret of secrets) {
      for (const [file, text] of logs)
        expect(text.includes(secret), `${secret.slice(0, 4)}… in ${file}`).toBe(
          false,
        );
      pages.forEach((page, i) =>
        expect(
          page.includes(secret),
          `${secret.slice(0, 4)}… in /metrics of :${ports[i]}`,
        ).toBe(false),
      );
    }
    expect(
      sumOf(
        await metricsOf(SERVICE_PORTS.transform + E2E_PORT_OFFSET),
        'kingbridge_transform_records_total',
      ),
    ).toBeGreaterThan(0);
  });
});
