import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig, redactSecrets } from '@kingbridge/config';
import { createLogger } from '@kingbridge/observability';
import { afterEach, describe, expect, it } from 'vitest';
import {
  formatAlertMessage,
  runbookUrl,
  type AlertmanagerPayload,
} from '../alert-message';
import { alertWebhookConfigSchema } from '../alert-webhook.config';
import { createAlertWebhookServer } from '../alert-webhook.server';
import { dingTalkSignedUrl } from '../robot-client';

const BASE = 'https://ops.example.test/kb/';

function payload(
  overrides: Partial<AlertmanagerPayload['alerts'][number]> = {},
  status: 'firing' | 'resolved' = 'firing',
): AlertmanagerPayload {
  return {
    status,
    alerts: [
      {
        status,
        labels: {
          alertname: 'KingbridgeKingdeeErrorRateHigh',
          severity: 'warning',
          target: 'k3cloud',
        },
        annotations: {
          summary: 'K3Cloud rejects 30% of rows',
          description: 'Rows fail\n  validation.',
          runbook_url: 'docs/runbooks/kingbridge-kingdee-error-rate-high.md',
        },
        startsAt: '2026-05-01T02:00:00Z',
        endsAt: '2026-05-01T03:30:00Z',
        ...overrides,
      },
    ],
  };
}

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('alert message (Chinese, for the robots)', () => {
  it('should say what is wrong, for which flow, since when in Beijing time, with an absolute runbook link', () => {
    const m = formatAlertMessage(payload(), BASE);
    expect(m.title).toBe(
      'Kingbridge 告警（1 条）：KingbridgeKingdeeErrorRateHigh',
    );
    expect(m.markdown).toContain('### 【警告】KingbridgeKingdeeErrorRateHigh');
    expect(m.markdown).toContain('**流程**：金蝶 k3cloud');
    expect(m.markdown).toContain('**说明**：Rows fail validation.');
    expect(m.markdown).toContain('**开始**：2026-05-01 10:00:00（北京时间）');
    expect(m.markdown).toContain(
      `${BASE}docs/runbooks/kingbridge-kingdee-error-rate-high.md`,
    );
  });

  it('should mark a resolved alert and keep an annotation that is already absolute', () => {
    const m = formatAlertMessage(
      payload(
        {
          labels: {
            alertname: 'X',
            severity: 'critical',
            flow: 'wdt-stockout',
          },
          annotations: { runbook_url: 'https://wiki.example/x' },
        },
        'resolved',
      ),
      BASE,
    );
    expect(m.title).toBe('Kingbridge 已恢复：X');
    expect(m.markdown).toContain('【已恢复】X');
    expect(m.markdown).toContain('**流程**：wdt-stockout');
    expect(m.markdown).toContain('**恢复**：2026-05-01 11:30:00（北京时间）');
    expect(m.markdown).toContain(
      '[https://wiki.example/x](https://wiki.example/x)',
    );
  });

  it('should derive the runbook from the alert name when the rule has none, and stay under the WeCom size limit', () => {
    const alert = payload({ annotations: {} })
      .alerts[0] as AlertmanagerPayload['alerts'][number];
    expect(runbookUrl(alert, BASE)).toBe(
      `${BASE}docs/runbooks/kingbridge-kingdee-error-rate-high.md`,
    );
    const many: AlertmanagerPayload = {
      status: 'firing',
      alerts: Array.from({ length: 30 }, (_, i) => ({
        ...alert,
        labels: { ...alert.labels, flow: `flow-${i}` },
        annotations: { description: '很长的说明'.repeat(200) },
      })),
    };
    const m = formatAlertMessage(many, BASE);
    expect(Buffer.byteLength(m.markdown)).toBeLessThanOrEqual(4000);
    expect(m.title).toContain('30 条');
  });

  it('should sign DingTalk requests the way DingTalk checks them (HmacSHA256 of timestamp and secret)', () => {
    const url = new URL(
      dingTalkSignedUrl(
        'https://oapi.dingtalk.com/robot/send?access_token=t',
        'SECabc',
        1_700_000_000_000,
      ),
    );
    const expected = createHmac('sha256', 'SECabc')
      .update('1700000000000\nSECabc')
      .digest('base64');
    expect(url.searchParams.get('access_token')).toBe('t');
    expect(url.searchParams.get('timestamp')).toBe('1700000000000');
    expect(url.searchParams.get('sign')).toBe(expected);
  });
});

describe('alert webhook server', () => {
  it('should answer 502 when the robot refuses (so Alertmanager retries), 200 when it is not configured, 400 on junk, and never log the robot URL', async () => {
    const robot = await listen(
      createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            errcode: 310000,
            errmsg: 'keywords not in content',
          }),
        );
      }),
    );
    const lines: string[] = [];
    const sink = {
      write: (l: string) => lines.push(l),
    } as unknown as NodeJS.WritableStream;
    const config = loadConfig(alertWebhookConfigSchema, {
      DINGTALK_WEBHOOK_URL: `${robot}/robot/send?access_token=tok-secret-123`,
    });
    const adapter = await listen(
      createAlertWebhookServer(
        config,
        createLogger('alert-webhook', 'info', sink),
      ),
    );
    const post = (path: string, body: unknown) =>
      fetch(`${adapter}${path}`, {
        method: 'POST',
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const refused = await post('/alerts/dingtalk', payload());
    expect(refused.status).toBe(502);
    expect(((await refused.json()) as { reason: string }).reason).toContain(
      'errcode 310000',
    );
    expect((await post('/alerts/wecom', payload())).status).toBe(200);
    expect((await post('/alerts/wecom', 'not json')).status).toBe(400);
    expect(
      (await post('/alerts/wecom', { status: 'firing', alerts: [] })).status,
    ).toBe(400);
    expect((await post('/alerts/sms', payload())).status).toBe(404);
    const metrics = await (await fetch(`${adapter}/metrics`)).text();
    expect(metrics).toContain(
      'kingbridge_alert_notifications_total{channel="dingtalk",outcome="failed"',
    );
    expect(lines.join('')).toContain('alert not delivered');
    expect(lines.join('')).not.toContain('tok-secret-123');
    expect(
      redactSecrets(`${robot}/robot/send?access_token=tok-secret-123`),
    ).not.toContain('tok-secret-123');
  });
});
