/**
 * Compiles every runnable entry point (services, CLIs, migrations) from
 * TypeScript to plain CommonJS under `dist/`, the way the image runs them:
 *   npx tsx deploy/docker/build.ts [outdir]
 * Our own code (`@kingbridge/*`, relative imports) is bundled; npm packages
 * stay external and are loaded from `node_modules` (production dependencies
 * only in the image). Paths mirror the sources: `services/transform/src/main.ts`
 * -> `dist/services/transform/src/main.js`, so `node dist/<path>.js` is the
 * `tsx <path>.ts` of the main job. No tsx, no network at start.
 */
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';
import {
  UsageError,
  parseCliArgs,
  runCliCommand,
  runIfStartedAs,
} from '@kingbridge/config';

export const ROOT = resolve(__dirname, '../..');

/** What the image can run (the service is chosen by the command). */
export const ENTRY_POINTS: readonly string[] = [
  'services/source-connector/src/main.ts',
  'services/transform/src/main.ts',
  'services/sink-kingdee/src/main.ts',
  'services/sink-kingdee/src/cli.ts',
  'services/status-exporter/src/main.ts',
  'services/simulators/src/main.ts',
  'services/alert-webhook/src/main.ts',
  // scripts/migrate.ts imports these by path at run time.
  'services/source-connector/src/database/migrations/index.ts',
  'services/transform/src/database/migrations/index.ts',
  'services/sink-kingdee/src/database/migrations/index.ts',
  'scripts/migrate.ts',
  'scripts/lookups.ts',
  'scripts/plan.ts',
  'scripts/replay-dlq.ts',
  'scripts/trace.ts',
  'scripts/reconcile.ts',
  'scripts/backfill.ts',
  // The one operator CLI (`kingbridge` / `kb` on the image's PATH): every command above in one entry.
  'tools/src/kingbridge.ts',
  'deploy/docker/healthcheck.ts',
  'deploy/docker/demo-world.ts',
];

/** Every bare import that is not ours stays a `require` of node_modules. */
const externalPackages: Plugin = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@kingbridge/') || args.path.startsWith('node:')
        ? undefined
        : { path: args.path, external: true },
    );
  },
};

export async function buildDist(
  outdir = join(ROOT, 'dist'),
): Promise<string[]> {
  const entries = ENTRY_POINTS.filter((e) => existsSync(join(ROOT, e)));
  rmSync(outdir, { recursive: true, force: true });
  await build({
    absWorkingDir: ROOT,
    entryPoints: entries,
    outdir,
    outbase: ROOT,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'linked',
    tsconfig: join(ROOT, 'tsconfig.base.json'),
    plugins: [externalPackages],
    logLevel: 'warning',
    // Nest and TypeORM match providers and migrations by class name.
    keepNames: true,
  });
  return entries.map((e) => join(outdir, e.replace(/\.ts$/, '.js')));
}

export const BUILD_USAGE = `usage: tsx deploy/docker/build.ts [outdir]
  compiles every entry point the image runs into outdir (default dist/)`;

/** Builds dist/ (or the given folder); returns the exit code. */
export function run(argv: readonly string[]): Promise<number> {
  return runCliCommand(
    argv,
    { name: 'build', usage: BUILD_USAGE },
    async (args) => {
      const { positionals } = parseCliArgs(args, { allowPositionals: true });
      if (positionals.length > 1)
        throw new UsageError(`unexpected argument ${positionals[1]}`);
      const outdir = positionals[0];
      const files = await buildDist(outdir ? resolve(outdir) : undefined);
      console.log(`built ${files.length} entry points into dist/`);
      return 0;
    },
  );
}

runIfStartedAs('deploy/docker/build', 'build', run);
