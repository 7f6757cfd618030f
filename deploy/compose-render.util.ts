import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

/*
 * What `docker compose config` does to docker-compose.yml, enough to check the
 * file offline: YAML with merge keys, `${VAR}` / `${VAR:-default}` /
 * `${VAR-default}` / `${VAR:?message}` / `${VAR?message}` / `$VAR` / `$$`
 * interpolation in every string, `environment` and `depends_on` in their map
 * forms.
 */

export class ComposeInterpolationError extends Error {
  override readonly name = 'ComposeInterpolationError';
}

const PATTERN =
  /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** Interpolates one string the way Compose does. */
export function interpolate(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
): string {
  return text.replace(
    PATTERN,
    (
      _all,
      dollar?: string,
      braced?: string,
      op?: string,
      arg?: string,
      bare?: string,
    ) => {
      if (dollar) return '$';
      const name = (braced ?? bare) as string;
      const value = env[name];
      const unsetOrEmpty = value === undefined || value === '';
      switch (op) {
        case ':-':
          return unsetOrEmpty ? (arg ?? '') : value;
        case '-':
          return value === undefined ? (arg ?? '') : value;
        case ':?':
        case '?':
          if (op === ':?' ? unsetOrEmpty : value === undefined)
            throw new ComposeInterpolationError(
              `${name}: ${arg || 'required'}`,
            );
          return value as string;
        default:
          return value ?? '';
      }
    },
  );
}

function interpolateDeep(
  node: unknown,
  env: Readonly<Record<string, string | undefined>>,
): unknown {
  if (typeof node === 'string') return interpolate(node, env);
  if (Array.isArray(node)) return node.map((n) => interpolateDeep(n, env));
  if (node && typeof node === 'object')
    return Object.fromEntries(
      Object.entries(node).map(([k, v]) => [k, interpolateDeep(v, env)]),
    );
  return node;
}

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const environmentSchema = z
  .union([z.record(z.string(), scalar), z.array(z.string())])
  .optional()
  .transform((e): Record<string, string> => {
    if (!e) return {};
    const pairs = Array.isArray(e)
      ? e.map((line) => {
          const i = line.indexOf('=');
          return i < 0 ? [line, ''] : [line.slice(0, i), line.slice(i + 1)];
        })
      : Object.entries(e).map(([k, v]) => [k, v === null ? '' : String(v)]);
    return Object.fromEntries(pairs) as Record<string, string>;
  });

const dependsOnSchema = z
  .union([
    z.array(z.string()),
    z.record(z.string(), z.object({ condition: z.string() })),
  ])
  .optional()
  .transform((d): Record<string, string> =>
    !d
      ? {}
      : Array.isArray(d)
        ? Object.fromEntries(d.map((s) => [s, 'service_started']))
        : Object.fromEntries(
            Object.entries(d).map(([k, v]) => [k, v.condition]),
          ),
  );

const healthcheckSchema = z.object({
  test: z.union([z.string(), z.array(z.string())]),
  interval: z.string().optional(),
  timeout: z.string().optional(),
  retries: z.number().int().optional(),
  start_period: z.string().optional(),
});

export const composeServiceSchema = z
  .object({
    image: z.string().optional(),
    build: z.unknown().optional(),
    command: z.union([z.string(), z.array(z.string())]).optional(),
    entrypoint: z.union([z.string(), z.array(z.string())]).optional(),
    environment: environmentSchema,
    depends_on: dependsOnSchema,
    healthcheck: healthcheckSchema.optional(),
    volumes: z.array(z.string()).default([]),
    ports: z.array(z.union([z.string(), z.number()])).default([]),
    restart: z
      .enum(['no', 'always', 'on-failure', 'unless-stopped'])
      .optional(),
    read_only: z.boolean().optional(),
    tmpfs: z.union([z.string(), z.array(z.string())]).optional(),
    init: z.boolean().optional(),
  })
  .strict();
export type ComposeService = z.infer<typeof composeServiceSchema>;

export const composeFileSchema = z
  .object({
    services: z.record(z.string(), composeServiceSchema),
    volumes: z.record(z.string(), z.unknown()).optional(),
    networks: z.record(z.string(), z.unknown()).optional(),
  })
  // `name:` (v2 only) is refused by docker-compose 1.29; `version:` is obsolete in v2.
  .catchall(z.never());

export type ComposeFile = z.infer<typeof composeFileSchema>;

/** Parses, drops the `x-*` extension fields, interpolates and validates a compose file. */
export function renderCompose(
  path: string,
  env: Readonly<Record<string, string | undefined>>,
): ComposeFile {
  const raw = parse(readFileSync(path, 'utf8'), { merge: true }) as Record<
    string,
    unknown
  >;
  const withoutExtensions = Object.fromEntries(
    Object.entries(raw).filter(([k]) => !k.startsWith('x-')),
  );
  return composeFileSchema.parse(interpolateDeep(withoutExtensions, env));
}
