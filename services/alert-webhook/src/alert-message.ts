import { z } from 'zod';

/** Alertmanager webhook payload (version 4), the fields we read. */
export const alertmanagerPayloadSchema = z.object({
  version: z.string().optional(),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().optional(),
  externalURL: z.string().optional(),
  alerts: z
    .array(
      z.object({
        status: z.enum(['firing', 'resolved']),
        labels: z.record(z.string(), z.string()),
        annotations: z.record(z.string(), z.string()).default({}),
        startsAt: z.string().optional(),
        endsAt: z.string().optional(),
        generatorURL: z.string().optional(),
      }),
    )
    .min(1),
});
export type AlertmanagerPayload = z.infer<typeof alertmanagerPayloadSchema>;
type Alert = AlertmanagerPayload['alerts'][number];

/** One robot message: a title and Markdown both robots render. */
export interface AlertMessage {
  readonly title: string;
  readonly markdown: string;
}

const SEVERITY: Readonly<Record<string, string>> = {
  critical: '严重',
  warning: '警告',
  info: '提示',
};
/** WeCom caps markdown content at 4096 bytes; DingTalk's limit is larger. */
const MAX_BYTES = 4000;
const MAX_ALERTS = 8;

/** What the alert is about, from its labels: the flow, or the stream / target / consumer group. */
export function flowOf(labels: Readonly<Record<string, string>>): string {
  if (labels['flow']) return labels['flow'];
  if (labels['connector'] && labels['stream'])
    return `${labels['connector']}/${labels['stream']}`;
  if (labels['connector']) return `连接器 ${labels['connector']}`;
  if (labels['target']) return `金蝶 ${labels['target']}`;
  if (labels['group'] && labels['topic'])
    return `消费组 ${labels['group']} / ${labels['topic']}`;
  if (labels['job'])
    return `服务 ${labels['job']}${labels['instance'] ? ` (${labels['instance']})` : ''}`;
  return '全部流程';
}

function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** The runbook as an absolute URL: an absolute annotation is kept, a relative one resolved against `base`. */
export function runbookUrl(alert: Alert, base: string): string {
  const annotated =
    alert.annotations['runbook_url'] ??
    `docs/runbooks/${kebab(alert.labels['alertname'] ?? 'README')}.md`;
  return new URL(annotated.replace(/^\/+/, ''), base).href;
}

function beijingTime(iso: string | undefined): string | undefined {
  if (!iso || iso.startsWith('0001-')) return undefined;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return undefined;
  return `${new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ')}（北京时间）`;
}

function alertLines(alert: Alert, base: string): string[] {
  const resolved = alert.status === 'resolved';
  const severity =
    SEVERITY[alert.labels['severity'] ?? ''] ??
    alert.labels['severity'] ??
    '未知';
  const name = alert.labels['alertname'] ?? '未命名告警';
  const lines = [
    `### ${resolved ? '【已恢复】' : `【${severity}】`}${name}`,
    `- **流程**：${flowOf(alert.labels)}`,
    `- **问题**：${alert.annotations['summary'] ?? name}`,
  ];
  const description = alert.annotations['description'];
  if (description && !resolved)
    lines.push(`- **说明**：${description.replace(/\s+/g, ' ').trim()}`);
  const since = beijingTime(alert.startsAt);
  if (since) lines.push(`- **开始**：${since}`);
  const until = resolved ? beijingTime(alert.endsAt) : undefined;
  if (until) lines.push(`- **恢复**：${until}`);
  const runbook = runbookUrl(alert, base);
  lines.push(`- **处理手册**：[${runbook}](${runbook})`);
  return lines;
}

function truncateBytes(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  let out = text;
  while (Buffer.byteLength(out) > max - 12) out = out.slice(0, -64);
  return `${out}\n\n…（已截断）`;
}

/** The Chinese message for one Alertmanager notification (a group of alerts). */
export function formatAlertMessage(
  payload: AlertmanagerPayload,
  runbookBase: string,
): AlertMessage {
  const firing = payload.alerts.filter((a) => a.status === 'firing');
  const first = (firing[0] ?? payload.alerts[0]) as Alert;
  const name = first.labels['alertname'] ?? '告警';
  const title =
    payload.status === 'resolved'
      ? `Kingbridge 已恢复：${name}`
      : `Kingbridge 告警（${firing.length} 条）：${name}`;
  const shown = payload.alerts.slice(0, MAX_ALERTS);
  const blocks = shown.map((a) => alertLines(a, runbookBase).join('\n'));
  if (payload.alerts.length > shown.length)
    blocks.push(
      `另有 ${payload.alerts.length - shown.length} 条告警未列出，请在 Alertmanager 查看。`,
    );
  return { title, markdown: truncateBytes(blocks.join('\n\n'), MAX_BYTES) };
}
