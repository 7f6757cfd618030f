import { readFile } from 'node:fs/promises';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { join } from 'node:path';
import type { Logger } from '@kingbridge/observability';
import {
  createMetricsRegistry,
  defineCounter,
} from '@kingbridge/observability';
import {
  alertmanagerPayloadSchema,
  flowOf,
  formatAlertMessage,
} from './alert-message';
import {
  ALERT_WEBHOOK_SERVICE,
  type AlertWebhookConfig,
} from './alert-webhook.config';
import {
  ROBOT_CHANNELS,
  RobotError,
  sendToRobot,
  type RobotChannel,
  type RobotTarget,
} from './robot-client';

const MAX_BODY_BYTES = 1024 * 1024;

function targets(
  config: AlertWebhookConfig,
): Partial<Record<RobotChannel, RobotTarget>> {
  return {
    ...(config.DINGTALK_WEBHOOK_URL
      ? {
          dingtalk: {
            url: config.DINGTALK_WEBHOOK_URL,
            ...(config.DINGTALK_SECRET
              ? { signSecret: config.DINGTALK_SECRET }
              : {}),
          },
        }
      : {}),
    ...(config.WECOM_WEBHOOK_URL
      ? { wecom: { url: config.WECOM_WEBHOOK_URL } }
      : {}),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error('body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function reply(
  res: ServerResponse,
  status: number,
  body: unknown,
  type = 'application/json',
): void {
  res.writeHead(status, { 'content-type': `${type}; charset=utf-8` });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/**
 * Alertmanager webhook receiver: `POST /alerts/dingtalk` and `POST /alerts/wecom`
 * turn a notification into one Chinese Markdown message (flow, what is wrong,
 * absolute runbook link) for that robot. A non-2xx answer makes Alertmanager
 * retry. Also `/health/live`, `/health/ready`, `/metrics` and the runbooks
 * under `/docs/runbooks/`.
 */
export function createAlertWebhookServer(
  config: AlertWebhookConfig,
  logger: Logger,
): Server {
  const registry = createMetricsRegistry(ALERT_WEBHOOK_SERVICE);
  const notifications = defineCounter(registry, {
    name: 'kingbridge_alert_notifications_total',
    help: 'Alertmanager notifications relayed to a chat robot, by channel and outcome',
    labelNames: ['channel', 'outcome'] as const,
  });
  const robots = targets(config);

  async function relay(
    channel: RobotChannel,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    let json: unknown;
    try {
      json = JSON.parse(await readBody(req));
    } catch {
      notifications.inc({ channel, outcome: 'invalid' });
      return reply(res, 400, { error: 'body is not JSON' });
    }
    const parsed = alertmanagerPayloadSchema.safeParse(json);
    if (!parsed.success) {
      notifications.inc({ channel, outcome: 'invalid' });
      return reply(res, 400, { error: 'not an Alertmanager webhook payload' });
    }
    const message = formatAlertMessage(parsed.data, config.RUNBOOK_BASE_URL);
    const context = {
      channel,
      status: parsed.data.status,
      alerts: parsed.data.alerts.length,
      alertname: parsed.data.alerts[0]?.labels['alertname'],
      flow: flowOf(parsed.data.alerts[0]?.labels ?? {}),
    };
    const target = robots[channel];
    if (!target) {
      notifications.inc({ channel, outcome: 'not_configured' });
      logger.warn(
        context,
        'alert received for a robot that is not configured; not sent',
      );
      return reply(res, 200, {
        sent: false,
        reason: `${channel} robot not configured`,
      });
    }
    try {
      await sendToRobot(channel, target, message, config.ALERT_SEND_TIMEOUT_MS);
      notifications.inc({ channel, outcome: 'sent' });
      logger.info(context, 'alert sent');
      reply(res, 200, { sent: true });
    } catch (err) {
      notifications.inc({ channel, outcome: 'failed' });
      const reason =
        err instanceof RobotError ? err.message : 'unexpected error';
      logger.error(
        { ...context, reason },
        'alert not delivered; Alertmanager will retry',
      );
      reply(res, 502, { sent: false, reason });
    }
  }

  async function runbook(name: string, res: ServerResponse): Promise<void> {
    try {
      const text = await readFile(join(config.RUNBOOKS_DIR, name), 'utf8');
      reply(res, 200, text, 'text/markdown');
    } catch {
      reply(res, 404, { error: 'no such runbook' });
    }
  }

  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const channel = /^\/alerts\/([a-z]+)$/.exec(path)?.[1];
    if (req.method === 'POST' && channel) {
      if (!(ROBOT_CHANNELS as readonly string[]).includes(channel))
        return reply(res, 404, {
          error: `unknown channel, use ${ROBOT_CHANNELS.join(' or ')}`,
        });
      return relay(channel as RobotChannel, req, res);
    }
    if (req.method !== 'GET')
      return reply(res, 405, { error: 'method not allowed' });
    if (path === '/health/live' || path === '/health/ready')
      return reply(res, 200, { status: 'ok' });
    if (path === '/metrics')
      return reply(
        res,
        200,
        await registry.metrics(),
        registry.contentType.split(';')[0],
      );
    const doc = /^\/docs\/runbooks\/([a-z0-9-]+\.md)$/.exec(path)?.[1];
    if (doc) return runbook(doc, res);
    reply(res, 404, { error: 'not found' });
  }

  return createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error({ reason: (err as Error).message }, 'request failed');
      if (!res.headersSent) reply(res, 500, { error: 'internal error' });
    });
  });
}
