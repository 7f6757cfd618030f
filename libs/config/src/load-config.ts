import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './config.error';
import { registerSecret } from './secret.schema';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Resolves `NAME_FILE` variables: the file's content (trimmed) becomes `NAME`,
 * the way Docker and Kubernetes secrets are mounted. A set `NAME_FILE` wins
 * over `NAME`, so a Secret mounted by an overlay overrides a default that a
 * ConfigMap (or the image) sets for the same variable.
 * With `keys`, only those names are resolved, so an unrelated `*_FILE`
 * variable in the environment is never read. Returns the resolved variables
 * and the names whose value came from a file (treated as secrets).
 */
export function resolveFileVariables(
  env: Env,
  keys?: ReadonlySet<string>,
): Record<string, string | undefined> {
  return resolveWithSources(env, keys).values;
}

function resolveWithSources(
  env: Env,
  keys?: ReadonlySet<string>,
): { values: Record<string, string | undefined>; fromFile: Set<string> } {
  const values: Record<string, string | undefined> = { ...env };
  const fromFile = new Set<string>();
  for (const [key, path] of Object.entries(env)) {
    if (!key.endsWith('_FILE') || !path) continue;
    const name = key.slice(0, -'_FILE'.length);
    if (keys && !keys.has(name)) continue;
    try {
      values[name] = readFileSync(path, 'utf8').trim();
      fromFile.add(name);
    } catch (err) {
      throw new ConfigError([
        `${key}: cannot read secret file ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      ]);
    }
  }
  return { values, fromFile };
}

/**
 * Parses the environment with a zod object schema, once, at start-up.
 * Every problem is reported with its variable name; secrets (names ending
 * in SECRET/PASSWORD/TOKEN/KEY, fields described `secret…` such as
 * `secretSchema`, and anything read from a `*_FILE`) are registered for log
 * redaction and never echoed in the error. Passwords inside URLs (e.g.
 * `DATABASE_URL`) are registered too. Returns a frozen object.
 */
export function loadConfig<S extends z.ZodObject<z.ZodRawShape>>(
  schema: S,
  env: Env = process.env,
): Readonly<z.infer<S>> {
  const keys = new Set(Object.keys(schema.shape));
  const { values: resolved, fromFile } = resolveWithSources(env, keys);
  // Treat empty strings as unset so defaults apply (`FOO=` in .env files).
  for (const [k, v] of Object.entries(resolved))
    if (v === '') delete resolved[k];
  const isSecret = (key: string): boolean =>
    fromFile.has(key) || isSecretKey(schema, key);
  const result = schema.safeParse(resolved);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const name = issue.path.map(String).join('.') || '(environment)';
        const value = resolved[name];
        const received =
          value !== undefined && !isSecret(name)
            ? ` (got "${redactUrlPassword(value)}")`
            : '';
        return `${name}: ${issue.message}${received}`;
      }),
    );
  }
  const data = result.data as Record<string, unknown>;
  for (const key of keys) {
    const value = data[key];
    if (typeof value !== 'string') continue;
    if (isSecret(key)) registerSecret(value);
    const password = urlPassword(value);
    if (password) registerSecret(password);
  }
  return Object.freeze(result.data);
}

function isSecretKey(schema: z.ZodObject<z.ZodRawShape>, key: string): boolean {
  if (/(SECRET|PASSWORD|TOKEN|KEY)$/.test(key)) return true;
  const field = schema.shape[key] as z.ZodType | undefined;
  return field !== undefined && describedAsSecret(field);
}

/** True when the field or any wrapped schema (optional, default, pipe…) is described `secret…`. */
function describedAsSecret(field: z.ZodType, depth = 0): boolean {
  if ((field.description ?? '').startsWith('secret')) return true;
  if (depth > 8) return false;
  const def = (field as unknown as { _zod?: { def?: Record<string, unknown> } })
    ._zod?.def;
  if (!def) return false;
  return ['innerType', 'in', 'out', 'schema'].some((k) => {
    const inner = def[k];
    return inner instanceof z.ZodType && describedAsSecret(inner, depth + 1);
  });
}

function urlPassword(value: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return undefined;
  try {
    const password = new URL(value).password;
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}

function redactUrlPassword(value: string): string {
  // Regex rather than URL parsing: a malformed URL must not leak its password.
  return value.replace(/(\/\/[^/:@\s]*:)\S*@/g, '$1***@');
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
