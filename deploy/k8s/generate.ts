/**
 * Writes the generated Kubernetes manifests (deploy/k8s/base, deploy/k8s/monitoring).
 *   npx tsx deploy/k8s/generate.ts          # write
 *   npx tsx deploy/k8s/generate.ts --check  # exit 1 when a committed file is stale
 *   npx tsx deploy/k8s/generate.ts --plans-dir <dir>  # the plans ConfigMap from another folder
 * The seed plans (plans/) are copied into the base for its kingbridge-plans ConfigMap: after a plan change, run it again.
 */
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  parseCliArgs,
  runCliCommand,
  runIfStartedAs,
} from '@kingbridge/config';
import { ROOT, renderManifests } from './manifests';

const DIRS = [
  'deploy/k8s/base',
  'deploy/k8s/base/plans',
  'deploy/k8s/monitoring',
];

export const GENERATE_K8S_USAGE = `usage: tsx deploy/k8s/generate.ts [--check] [--plans-dir <dir>]
  writes deploy/k8s/base and deploy/k8s/monitoring (the plans ConfigMap from plans/ or --plans-dir);
  --check writes nothing and exits 1 when a committed file is stale`;

/** Writes the manifests, or with --check says whether they are stale (exit 1); returns the exit code. */
export function run(argv: readonly string[]): Promise<number> {
  return runCliCommand(
    argv,
    { name: 'k8s generate', usage: GENERATE_K8S_USAGE },
    async (args) => {
      const { values } = parseCliArgs(args, {
        options: {
          check: { type: 'boolean', default: false },
          'plans-dir': { type: 'string' },
        },
      });
      return generate(
        values.check,
        values['plans-dir'] ? resolve(values['plans-dir']) : undefined,
      );
    },
  );
}

function generate(check: boolean, plansDir: string | undefined): number {
  const files = renderManifests(plansDir);
  const problems: string[] = [];
  for (const dir of DIRS) {
    const abs = join(ROOT, dir);
    if (!existsSync(abs)) continue;
    for (const f of readdirSync(abs, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => e.name)) {
      const rel = `${dir}/${f}`;
      if (files[rel] !== undefined) continue;
      if (check) problems.push(`${rel}: not generated any more`);
      else rmSync(join(abs, f));
    }
  }
  for (const [rel, text] of Object.entries(files)) {
    const abs = join(ROOT, rel);
    const current = existsSync(abs) ? readFileSync(abs, 'utf8') : undefined;
    if (current === text) continue;
    if (check)
      problems.push(`${rel}: ${current === undefined ? 'missing' : 'stale'}`);
    else {
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, text);
    }
  }
  if (problems.length > 0) {
    process.stderr.write(
      `Stale Kubernetes manifests; run \`npx tsx deploy/k8s/generate.ts\`:\n  ${problems.join('\n  ')}\n`,
    );
    return 1;
  }
  console.log(
    check
      ? 'kubernetes manifests up to date'
      : `wrote ${Object.keys(files).length} files`,
  );
  return 0;
}

runIfStartedAs('deploy/k8s/generate', 'k8s generate', run);
