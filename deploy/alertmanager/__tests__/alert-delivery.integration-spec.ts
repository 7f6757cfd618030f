import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@kingbridge/observability';
import { loadConfig } from '@kingbridge/config';
import { pollUntil } from '@kingbridge/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  alertWebhookConfigSchema,
  createAlertWebhookServer,
} from '@kingbridge/alert-webhook';
import {
  startPrometheus,
  type PrometheusProcess,
} from '../../prometheus/prometheus-api.util';
import { RULES_DIR } from '../../prometheus/rule-expressions';
import {
  startAlertmanager,
  type AlertmanagerProcess,
} from '../alertmanager-process.util';

/*
 * An alert rule of deploy/prometheus/rules fires on a local Prometheus, goes
 * through the Alertmanager config of deploy/alertmanager (routes and
 * receivers as shipped, only the adapter's address changed), reaches the
 * alert-webhook adapter, and the adapter posts a Chinese message with the
 * flow and an absolute runbook link to a local "robot" HTTP sink.
 */

const CONFIG_FILE = join(__dirname, '..', 'alertmanager.yml');
const RUNBOOK_BASE = 'https://ops.example.test/kingbridge/';

interface Received {
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: {
    msgtype: string;
    markdown: { title?: string; text?: string; content?: string };
  };
}

const received: Received[] = [];
const servers: Server[] = [];
let prometheus: PrometheusProcess | undefined;
let alertmanager: AlertmanagerProcess | undefined;
const dir = mkdtempSync(join(tmpdir(), 'kb-alert-delivery-'));

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  // The robots: answer like DingTalk / WeCom and keep what they were sent.
  const robotPort = await listen(
    createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://robot');
        received.push({
          path: url.pathname,
          query: url.searchParams,
          body: JSON.parse(
            Buffer.concat(chunks).toString('utf8'),
          ) as Received['body'],
        });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errcode: 0, errmsg: 'ok' }));
      });
    }),
  );
  const robot = `http://127.0.0.1:${robotPort}`;
  const adapterConfig = loadConfig(alertWebhookConfigSchema, {
    RUNBOOK_BASE_URL: RUNBOOK_BASE,
    DINGTALK_WEBHOOK_URL: `${robot}/robot/send?access_token=test-token`,
    DINGTALK_SECRET: 'SECtest-signing-secret',
    WECOM_WEBHOOK_URL: `${robot}/cgi-bin/webhook/send?key=test-key`,
  });
  const adapterPort = await listen(
    createAlertWebhookServer(
      adapterConfig,
      createLogger('alert-webhook', 'silent'),
    ),
  );
  // A service whose stream stopped (what a connector exposes after invalid credentials).
  const metricsPort = await listen(
    createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(
        'kingbridge_source_stream_stopped{connector="wdt",stream="stockout-order"} 1\n',
      );
    }),
  );
  // The shipped Alertmanager config, pointed at this adapter.
  const shipped = readFileSync(CONFIG_FILE, 'utf8');
  alertmanager = await startAlertmanager(
    shipped.replaceAll(
      'http://alert-webhook:19440',
      `http://127.0.0.1:${adapterPort}`,
    ),
  );
  // The shipped rules, with `for:` shortened so the test does not wait a minute.
  const rules = parse(readFileSync(join(RULES_DIR, 'alerts.yml'), 'utf8')) as {
    groups: { rules: { for?: string }[] }[];
  };
  for (const g of rules.groups)
    for (const r of g.rules) if (r.for) r.for = '1s';
  writeFileSync(join(dir, 'alerts.yml'), stringify(rules));
  prometheus = await startPrometheus({
    targets: { 'source-connector': [`127.0.0.1:${metricsPort}`] },
    ruleFiles: [join(dir, 'alerts.yml')],
    alertmanagers: [alertmanager.address],
  });
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
  await alertmanager?.stop();
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('alerts reach people', () => {
  it('should be a valid Alertmanager config (amtool)', () => {
    const amtool = spawnSync('amtool', ['check-config', CONFIG_FILE], {
      encoding: 'utf8',
    });
    expect(amtool.stdout + amtool.stderr).toContain('SUCCESS');
    expect(amtool.status).toBe(0);
  });

  it('should deliver a fired critical rule to DingTalk (signed) and WeCom in Chinese, with the flow and an absolute runbook link', async () => {
    await pollUntil(
      () =>
        received.some((r) => r.path === '/robot/send') &&
        received.some((r) => r.path === '/cgi-bin/webhook/send'),
      {
        timeoutMs: 60_000,
        intervalMs: 250,
        description: 'both robots received the alert',
      },
    );
    const runbook = `${RUNBOOK_BASE}docs/runbooks/kingbridge-source-stream-stopped.md`;
    const dingtalk = received.find((r) => r.path === '/robot/send') as Received;
    expect(dingtalk.query.get('access_token')).toBe('test-token');
    expect(dingtalk.query.get('sign')).toMatch(/^[A-Za-z0-9+/=]+$/);
    expect(Number(dingtalk.query.get('timestamp'))).toBeGreaterThan(
      Date.now() - 120_000,
    );
    expect(dingtalk.body.msgtype).toBe('markdown');
    const wecom = received.find(
      (r) => r.path === '/cgi-bin/webhook/send',
    ) as Received;
    expect(wecom.query.get('key')).toBe('test-key');
    for (const text of [
      dingtalk.body.markdown.text,
      wecom.body.markdown.content,
    ]) {
      expect(text).toContain('【严重】KingbridgeSourceStreamStopped');
      expect(text).toContain('**流程**：wdt/stockout-order');
      expect(text).toContain(
        '**问题**：Source stream wdt/stockout-order has stopped',
      );
      expect(text).toContain(`**处理手册**：[${runbook}](${runbook})`);
      expect(text).toContain('（北京时间）');
    }
  });
});
