import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  parseCliArgs,
  runCliCommand,
  runIfStartedAs,
} from '@kingbridge/config';

// Generated files must match their generators: topics doc, Grafana dashboards, Kubernetes base.
const checks: Array<[string, string[]]> = [
  ['scripts/generate-docs.ts', ['--check']],
  ['scripts/generate-dashboards.ts', ['--check']],
  ['deploy/k8s/generate.ts', ['--check']],
];

export const CHECK_DRIFT_USAGE =
  'usage: tsx scripts/check-drift.ts\n  exits 1 when a generated file (topics doc, dashboards, Kubernetes base) differs from its generator';

/** Runs every generator with --check; returns 1 when one of them found drift. */
export function run(argv: readonly string[]): Promise<number> {
  return runCliCommand(
    argv,
    { name: 'check-drift', usage: CHECK_DRIFT_USAGE },
    async (args) => {
      parseCliArgs(args, {});
      let failed = false;
      for (const [script, checkArgs] of checks) {
        if (!existsSync(script)) continue;
        try {
          const out = execFileSync('npx', ['tsx', script, ...checkArgs], {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          process.stdout.write(out);
        } catch (err) {
          failed = true;
          const e = err as { stdout?: string; stderr?: string };
          process.stderr.write(
            `${script} --check failed\n${e.stdout ?? ''}${e.stderr ?? ''}`,
          );
        }
      }
      return failed ? 1 : 0;
    },
  );
}

runIfStartedAs('scripts/check-drift', 'check-drift', run);
