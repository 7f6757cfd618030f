import pino, { type Logger } from 'pino';
import { redactSecrets } from '@kingbridge/config';

export type { Logger } from 'pino';

/** Keys that never reach a log line, at any depth pino supports. */
const REDACT_PATHS = [
  'password',
  'secret',
  'appSecret',
  'app_secret',
  'token',
  'accessToken',
  'access_token',
  'authorization',
  '*.password',
  '*.secret',
  '*.appSecret',
  '*.app_secret',
  '*.token',
  '*.accessToken',
  '*.access_token',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
];

/**
 * Structured JSON logger, one object per line, with `service` on every line.
 * Secrets are removed twice: by key (redact paths) and by value (every secret
 * registered by loadConfig is scrubbed from the serialised line).
 */
export function createLogger(
  service: string,
  level: string = 'info',
  destination: NodeJS.WritableStream = process.stdout,
): Logger {
  const stream = {
    write(line: string): void {
      destination.write(redactSecrets(line));
    },
  };
  return pino(
    {
      level,
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '***' },
      formatters: { level: (label) => ({ level: label }) },
    },
    stream,
  );
}
