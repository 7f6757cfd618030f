import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { AlertMessage } from './alert-message';

export const ROBOT_CHANNELS = ['dingtalk', 'wecom'] as const;
export type RobotChannel = (typeof ROBOT_CHANNELS)[number];

export interface RobotTarget {
  readonly url: string;
  /** DingTalk 加签 secret: adds `timestamp` and `sign` to the URL. */
  readonly signSecret?: string;
}

/** Both robots answer `{errcode: 0, errmsg: "ok"}` on success, HTTP 200 with another errcode on failure. */
const robotReplySchema = z.object({
  errcode: z.number(),
  errmsg: z.string().optional(),
});

export class RobotError extends Error {
  override readonly name = 'RobotError';
}

/** DingTalk's signature: base64(HmacSHA256(secret, `${timestamp}\n${secret}`)). */
export function dingTalkSignedUrl(
  url: string,
  secret: string,
  now = Date.now(),
): string {
  const sign = createHmac('sha256', secret)
    .update(`${now}\n${secret}`)
    .digest('base64');
  const signed = new URL(url);
  signed.searchParams.set('timestamp', String(now));
  signed.searchParams.set('sign', sign);
  return signed.href;
}

function body(channel: RobotChannel, message: AlertMessage): unknown {
  return channel === 'dingtalk'
    ? {
        msgtype: 'markdown',
        markdown: {
          title: message.title,
          text: `## ${message.title}\n\n${message.markdown}`,
        },
      }
    : {
        msgtype: 'markdown',
        markdown: { content: `## ${message.title}\n\n${message.markdown}` },
      };
}

/** Posts one message; throws RobotError (never naming the URL, which carries the token). */
export async function sendToRobot(
  channel: RobotChannel,
  target: RobotTarget,
  message: AlertMessage,
  timeoutMs: number,
): Promise<void> {
  const url =
    channel === 'dingtalk' && target.signSecret
      ? dingTalkSignedUrl(target.url, target.signSecret)
      : target.url;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(body(channel, message)),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new RobotError(
      `${channel} robot unreachable (${(err as Error).name})`,
    );
  }
  const text = await res.text();
  if (!res.ok)
    throw new RobotError(`${channel} robot answered HTTP ${res.status}`);
  let reply: z.infer<typeof robotReplySchema>;
  try {
    reply = robotReplySchema.parse(JSON.parse(text));
  } catch {
    throw new RobotError(
      `${channel} robot answered something that is not {errcode}`,
    );
  }
  if (reply.errcode !== 0)
    throw new RobotError(
      `${channel} robot refused the message: errcode ${reply.errcode} ${reply.errmsg ?? ''}`.trim(),
    );
}
