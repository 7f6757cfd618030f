import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './config.error';
import { registerSecret } from './secret.schema';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Resolves `NAME_FILE` variables: the file's content (trimmed) becomes `NAME`,
 * the way Docker and Kubernetes secrets are mounted. A set `NAME` wins.
 */
export function resolveFileVariables(env: Env): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env };
  for (const [key, path] of Object.entries(env)) {
    if (!key.endsWith('_FILE') || !path) continue;
    const name = key.slice(0, -'_FILE'.length);
    if (out[name] !== undefined && out[name] !== '') continue;
    try {
      out[name] = readFileSync(path, 'utf8').trim();
    } catch (err) {
      throw new ConfigError([
        `${key}: cannot read secret file ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      ]);
    }
  }
  return out;
}

/**
 * Parses the environment with a zod object schema, once, at start-up.
 * Every problem is reported with its variable name; secrets (fields whose
 * description starts with `secret`) are registered for log redaction.
 * Returns a frozen object.
 */
export function loadConfig<S extends z.ZodObject<z.ZodRawShape>>(
  schema: S,
  env: Env = process.env,
): Readonly<z.infer<S>> {
  const resolved = resolveFileVariables(env);
  // Treat empty strings as unset so defaults apply (`FOO=` in .env files).
  for (const [k, v] of Object.entries(resolved)) if (v === '') delete resolved[k];
  const result = schema.safeParse(resolved);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const name = issue.path.map(String).join('.') || '(environment)';
        const received =
          name in resolved && !isSecretKey(schema, name) ? ` (got "${resolved[name]}")` : '';
        return `${name}: ${issue.message}${received}`;
      }),
    );
  }
  for (const key of Object.keys(schema.shape)) {
    if (isSecretKey(schema, key)) {
      const value = (result.data as Record<string, unknown>)[key];
      if (typeof value === 'string') registerSecret(value);
    }
  }
  return Object.freeze(result.data);
}

function isSecretKey(schema: z.ZodObject<z.ZodRawShape>, key: string): boolean {
  const field = schema.shape[key] as z.ZodType | undefined;
  return /(SECRET|PASSWORD|TOKEN|KEY)$/.test(key) || (field?.description ?? '').startsWith('secret');
}

/** Loads config or prints every issue and exits 1: for `main.ts`. */
export function loadConfigOrExit<S extends z.ZodObject<z.ZodRawShape>>(
  schema: S,
  env: Env = process.env,
): Readonly<z.infer<S>> {
  try {
    return loadConfig(schema, env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(
        `${JSON.stringify({ level: 'fatal', msg: err.message, issues: err.issues })}\n`,
      );
      process.exit(1);
    }
    throw err;
  }
}
