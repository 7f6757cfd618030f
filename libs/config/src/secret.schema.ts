import { z } from 'zod';

/**
 * A secret value. Branded so it cannot be passed where a plain string is
 * expected by accident; `redact` hides it in any output.
 */
export const secretSchema = z
  .string()
  .min(1)
  .describe('secret')
  .brand<'Secret'>();
export type Secret = z.infer<typeof secretSchema>;

const registered = new Set<string>();

/** Remembers a secret value so `redactSecrets` can scrub it from text. */
export function registerSecret(value: string): void {
  if (value.length >= 4) registered.add(value);
}

/** Replaces every registered secret in `text` with `***`. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of registered) {
    if (out.includes(secret)) out = out.split(secret).join('***');
  }
  return out;
}

export function registeredSecrets(): readonly string[] {
  return [...registered];
}
