/**
 * The demo world of the compose stack and the Kubernetes demo overlay, from
 * the same sources as the main job (scripts/stack):
 *   node dist/deploy/docker/demo-world.js simulators   writes the simulators' scenario (demo credentials,
 *                                                     K3Cloud base data) to SIM_SCENARIO, then runs them
 *   node dist/deploy/docker/demo-world.js master-data  loads the transform's lookup tables into DATABASE_URL
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import {
  DEFAULT_DATABASE_URL,
  UsageError,
  loadConfigOrExit,
  parseCliArgs,
  runCliCommand,
  runIfStartedAs,
} from '@kingbridge/config';
import { waitForPostgres } from '@kingbridge/persistence';
import { createLogger } from '@kingbridge/observability';
import { z } from 'zod';
import { loadLookups } from '@kingbridge/scripts';
import { writeDemoScenario, lookupTables } from '@kingbridge/stack';

export const demoWorldConfigSchema = z.object({
  DATABASE_URL: z.string().url().default(DEFAULT_DATABASE_URL),
  SIM_SCENARIO: z.string().min(1).default('/tmp/kingbridge-demo-scenario.yaml'),
  DEMO_SCENARIO_BASE: z
    .string()
    .min(1)
    .optional()
    .describe(
      'scenario file (data rates, faults) the demo credentials are merged into',
    ),
  LOG_LEVEL: z.string().default('info'),
});

async function main(command: string | undefined): Promise<number> {
  const config = loadConfigOrExit(demoWorldConfigSchema);
  if (command === 'simulators') {
    writeDemoScenario(config.DEMO_SCENARIO_BASE, config.SIM_SCENARIO);
    const child = spawn(
      process.execPath,
      [join(__dirname, '../../services/simulators/src/main.js')],
      {
        stdio: 'inherit',
        env: { ...process.env, SIM_SCENARIO: config.SIM_SCENARIO },
      },
    );
    for (const signal of ['SIGTERM', 'SIGINT'] as const)
      process.on(signal, () => child.kill(signal));
    return new Promise((ok) => child.on('exit', (code) => ok(code ?? 1)));
  }
  if (command === 'master-data') {
    const logger = createLogger('demo-world', config.LOG_LEVEL);
    await waitForPostgres(config.DATABASE_URL, { logger, timeoutMs: 60_000 });
    const loaded = await loadLookups(config.DATABASE_URL, lookupTables());
    console.log(
      `master data loaded (${loaded.map((t) => `${t.table} ${t.rows}`).join(', ')})`,
    );
    return 0;
  }
  throw new UsageError(
    command === undefined
      ? 'give a command: simulators or master-data'
      : `unknown command ${command}`,
  );
}

export const DEMO_WORLD_USAGE = 'usage: demo-world simulators|master-data';

/** `simulators` | `master-data`; returns the exit code (2: usage). */
export function run(argv: readonly string[]): Promise<number> {
  return runCliCommand(
    argv,
    { name: 'demo-world', usage: DEMO_WORLD_USAGE },
    async (args) => {
      const { positionals } = parseCliArgs(args, { allowPositionals: true });
      if (positionals.length > 1)
        throw new UsageError(`unexpected argument ${positionals[1]}`);
      return main(positionals[0]);
    },
  );
}

runIfStartedAs('deploy/docker/demo-world', 'demo-world', run);
