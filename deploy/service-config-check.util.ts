import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig, type Env } from '@kingbridge/config';
import { kafkaSecurityFromEnv } from '@kingbridge/kafka';
import { loadPlans } from '@kingbridge/transform-engine';
import type { z } from 'zod';
import { migrateConfigSchema, operatorConfigSchema } from '@kingbridge/scripts';
import { alertWebhookConfigSchema } from '@kingbridge/alert-webhook';
import { simulatorsConfigSchema } from '@kingbridge/simulators';
import { sinkKingdeeConfigSchema } from '@kingbridge/sink-kingdee';
import { sourceConnectorConfigSchema } from '@kingbridge/source-connector';
import { statusExporterConfigSchema } from '@kingbridge/status-exporter';
import { transformConfigSchema } from '@kingbridge/transform';
import { demoWorldConfigSchema } from './docker/demo-world';
import { ENTRY_POINTS } from './docker/build';

/*
 * Runs a deployed process's own configuration schema (the same `loadConfig`
 * its main runs at start) over the environment a manifest gives it, so a
 * compose file or a Kubernetes overlay that would crash at start fails a test.
 */

export const ROOT = resolve(__dirname, '..');
/** Where the image keeps the repo's files (deploy/docker/Dockerfile WORKDIR). */
export const IMAGE_ROOT = '/app';

type AnySchema = z.ZodObject<z.ZodRawShape> | z.ZodPipe | z.ZodType;

interface Process {
  readonly schema: AnySchema;
  /** The process talks to Kafka (its client reads KAFKA_SECURITY_* too). */
  readonly kafka: boolean;
  /** Only these variables reach the schema (the simulators filter their environment). */
  readonly filter?: (key: string) => boolean;
}

/** Compiled entry point (as the image runs it) -> what its main loads. */
const PROCESSES: Readonly<Record<string, Process>> = {
  'services/source-connector/src/main.ts': {
    schema: sourceConnectorConfigSchema,
    kafka: true,
  },
  'services/transform/src/main.ts': {
    schema: transformConfigSchema,
    kafka: true,
  },
  'services/sink-kingdee/src/main.ts': {
    schema: sinkKingdeeConfigSchema,
    kafka: true,
  },
  'services/status-exporter/src/main.ts': {
    schema: statusExporterConfigSchema,
    kafka: true,
  },
  'services/alert-webhook/src/main.ts': {
    schema: alertWebhookConfigSchema,
    kafka: false,
  },
  'scripts/migrate.ts': { schema: migrateConfigSchema, kafka: false },
  // The operator CLI, run in a service's container (`kingbridge dlq list sink`) with that container's env.
  'tools/src/kingbridge.ts': { schema: operatorConfigSchema, kafka: true },
  'deploy/docker/demo-world.ts': {
    schema: demoWorldConfigSchema,
    kafka: false,
    filter: () => true,
  },
};
const SIMULATORS: Process = {
  schema: simulatorsConfigSchema,
  kafka: false,
  filter: (k) => k.startsWith('SIM_') || k === 'LOG_LEVEL',
};

/** `dist/services/x/src/main.js` -> `services/x/src/main.ts` (undefined when it is not an entry point the image builds). */
export function sourceOfCommand(command: string): string | undefined {
  const source = command
    .replace(/^(\/app\/)?dist\//, '')
    .replace(/\.js$/, '.ts');
  return ENTRY_POINTS.includes(source) && command.includes('dist/')
    ? source
    : undefined;
}

export interface ConfigCheck {
  readonly source: string;
  readonly config: Readonly<Record<string, unknown>>;
}

/** Maps an image path (`/app/plans`) to the repo's copy of it. */
export function repoPathOf(imagePath: string): string {
  if (imagePath.startsWith(`${IMAGE_ROOT}/`))
    return join(ROOT, imagePath.slice(IMAGE_ROOT.length + 1));
  return imagePath.startsWith('/') ? imagePath : join(ROOT, imagePath);
}

/**
 * Loads the config of the process a command starts; throws ConfigError (or
 * Error for an unknown entry point) naming what is wrong.
 */
export async function checkProcessConfig(
  command: readonly string[],
  env: Env,
): Promise<ConfigCheck> {
  const source = command[0] ? sourceOfCommand(command[0]) : undefined;
  if (!source)
    throw new Error(
      `${command.join(' ')}: not an entry point the image builds (deploy/docker/build.ts)`,
    );
  const proc =
    source === 'deploy/docker/demo-world.ts' && command[1] === 'simulators'
      ? SIMULATORS
      : PROCESSES[source];
  if (!proc) throw new Error(`${source}: no config schema known for it`);
  const visible = proc.filter
    ? Object.fromEntries(Object.entries(env).filter(([k]) => proc.filter?.(k)))
    : env;
  const config = loadConfig(
    proc.schema as z.ZodObject<z.ZodRawShape>,
    visible,
  ) as Record<string, unknown>;
  if (proc.kafka) kafkaSecurityFromEnv(env);
  if (
    source === 'services/transform/src/main.ts' ||
    source === 'services/source-connector/src/main.ts'
  ) {
    const dir = repoPathOf(String(config['PLANS_DIR']));
    if (!existsSync(dir))
      throw new ConfigError([
        `PLANS_DIR: ${String(config['PLANS_DIR'])} is not in the image`,
      ]);
    await loadPlans(dir);
  }
  return { source, config };
}
