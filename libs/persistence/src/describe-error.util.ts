import { redactSecrets } from '@kingbridge/config';

/**
 * A one-line reason for a connection error. Node's `ECONNREFUSED` for a
 * dual-stack host is an AggregateError with an empty message, so the
 * nested errors and the `code` are used too. Registered secrets are removed.
 */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return redactSecrets(String(err));
  const code = (err as NodeJS.ErrnoException).code;
  const parts: string[] = [];
  if (err.message) parts.push(err.message);
  if (err instanceof AggregateError) {
    for (const inner of err.errors) {
      if (inner instanceof Error && inner.message) parts.push(inner.message);
    }
  }
  if (parts.length === 0) parts.push(code ?? err.name);
  else if (code && !parts.some((p) => p.includes(code))) parts.push(code);
  return redactSecrets([...new Set(parts)].join('; '));
}
