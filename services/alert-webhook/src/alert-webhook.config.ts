import { z } from 'zod';

export const ALERT_WEBHOOK_SERVICE = 'alert-webhook';
export const ALERT_WEBHOOK_DEFAULT_PORT = 19440;

const secretUrl = (what: string) =>
  z.string().url().optional().describe(`secret: ${what}`);

/** Environment of the Alertmanager -> DingTalk / WeCom robot adapter. Secrets as env or `*_FILE`. */
export const alertWebhookConfigSchema = z.object({
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info'),
  HTTP_HOST: z.string().default('127.0.0.1'),
  HTTP_PORT: z.coerce
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(ALERT_WEBHOOK_DEFAULT_PORT)
    .describe('port of POST /alerts/<channel>, /metrics and /health'),
  RUNBOOK_BASE_URL: z
    .string()
    .url()
    .default(`http://127.0.0.1:${ALERT_WEBHOOK_DEFAULT_PORT}/`)
    .transform((v) => (v.endsWith('/') ? v : `${v}/`))
    .describe(
      "absolute base the rules' relative runbook_url (docs/runbooks/…) is resolved against; this service serves docs/runbooks itself",
    ),
  RUNBOOKS_DIR: z
    .string()
    .min(1)
    .default('docs/runbooks')
    .describe('folder served at /docs/runbooks/'),
  DINGTALK_WEBHOOK_URL: secretUrl(
    'DingTalk robot URL https://oapi.dingtalk.com/robot/send?access_token=…',
  ),
  DINGTALK_SECRET: z
    .string()
    .min(1)
    .optional()
    .describe('secret: DingTalk robot signing secret (加签, SEC…)'),
  WECOM_WEBHOOK_URL: secretUrl(
    'WeCom group robot URL https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…',
  ),
  ALERT_SEND_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(10_000)
    .describe('timeout of one robot call'),
});
export type AlertWebhookConfig = z.infer<typeof alertWebhookConfigSchema>;
