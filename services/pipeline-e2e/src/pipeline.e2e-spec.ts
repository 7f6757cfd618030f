import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil } from '@kingbridge/testing';
import { loadPlans, type SyncPlan } from '@kingbridge/transform-engine';
import { allPanelQueries } from '../../../deploy/grafana/panel-queries';
import { queryPrometheus, resultSize } from '../../../deploy/prometheus/prometheus-api.util';
import { allRuleExpressions } from '../../../deploy/prometheus/rule-expressions';
import { demoSecrets } from '../../../scripts/stack/demo-credentials';
import { CONNECTORS, ROOT, SERVICE_PORTS, SIMULATOR_PORTS } from '../../../scripts/stack/stack';
import { E2E_PORT_OFFSET, startE2eStack, type E2eStack } from './e2e-stack';
import { metricsOf, metricsText, sumOf } from './e2e-metrics.util';

const KINGDEE = { k3cloud: SIMULATOR_PORTS.k3cloud, jdy: SIMULATOR_PORTS.jdy, k3wise: SIMULATOR_PORTS.k3wise } as const;

interface StoredDoc {
  readonly billNo: string;
  readonly writeCount: number;
  readonly duplicateRejections?: number;
}

async function kingdeeDocuments(target: keyof typeof KINGDEE): Promise<StoredDoc[]> {
  const res = await fetch(`http://127.0.0.1:${KINGDEE[target] + E2E_PORT_OFFSET}/__admin/documents`);
  expect(res.ok, `${target} documents`).toBe(true);
  return (await res.json()) as StoredDoc[];
}

async function writtenByFlow(): Promise<Record<string, number>> {
  const samples = await metricsOf(SERVICE_PORTS['status-exporter'] + E2E_PORT_OFFSET);
  const out: Record<string, number> = {};
  for (const s of samples) {
    if (s.name === 'kingbridge_documents_total' && s.labels.outcome === 'written') {
      out[s.labels.flow as string] = (out[s.labels.flow as string] ?? 0) + s.value;
    }
  }
  return out;
}

describe('pipeline end to end (isolated stack: own Kafka, Postgres database and Prometheus)', () => {
  let stack: E2eStack;
  let plans: SyncPlan[];

  beforeAll(async () => {
    plans = (await loadPlans(join(ROOT, 'plans'))).map((p) => p.plan);
    stack = await startE2eStack();
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
  }, 120_000);

  it('should write documents into Kingdee for every seed flow', async () => {
    await pollUntil(
      async () => {
        const written = await writtenByFlow();
        return plans.every((p) => (written[p.id] ?? 0) > 0) ? written : undefined;
      },
      { timeoutMs: 240_000, intervalMs: 2_000, description: 'every flow has a written document' },
    );
  });

  it('should survive kill -9 of every service and a Kafka restart without duplicate documents', async () => {
    const before = await writtenByFlow();
    for (const name of ['source-connector-jackyun', 'transform', 'sink-kingdee', 'status-exporter']) {
      stack.group.kill9(name);
      await stack.group.restart(name);
    }
    stack.kafkaDown();
    stack.kafkaUp();
    await pollUntil(
      async () => {
        const written = await writtenByFlow();
        const total = Object.values(written).reduce((a, b) => a + b, 0);
        const totalBefore = Object.values(before).reduce((a, b) => a + b, 0);
        return total > totalBefore ? written : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 3_000, description: 'documents keep being written after the faults' },
    );
    for (const target of Object.keys(KINGDEE) as Array<keyof typeof KINGDEE>) {
      const docs = await kingdeeDocuments(target);
      const byBill = new Map<string, number>();
      for (const d of docs) byBill.set(d.billNo, (byBill.get(d.billNo) ?? 0) + 1);
      const duplicated = [...byBill.entries()].filter(([, n]) => n > 1);
      expect(duplicated, `${target}: bills stored more than once`).toEqual([]);
    }
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
          expect(res.status, `${q.dashboardUid} / ${q.panelTitle}: ${q.promql}`).toBe('success');
          if (!q.mayBeEmpty && resultSize(res) === 0) empty.push(`${q.dashboardUid} / ${q.panelTitle}: ${q.promql}`);
        }
        return empty.length === 0 ? true : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 5_000, description: 'every panel returns data' },
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
      for (const [file, text] of logs) expect(text.includes(secret), `${secret.slice(0, 4)}… in ${file}`).toBe(false);
      pages.forEach((page, i) => expect(page.includes(secret), `${secret.slice(0, 4)}… in /metrics of :${ports[i]}`).toBe(false));
    }
    expect(sumOf(await metricsOf(SERVICE_PORTS.transform + E2E_PORT_OFFSET), 'kingbridge_transform_records_total')).toBeGreaterThan(0);
  });
});
