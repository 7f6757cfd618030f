/**
 * Writes the Grafana dashboards (deploy/grafana/dashboards/*.json); `--check` exits 1 when they are stale.
 *   npx tsx scripts/generate-dashboards.ts [--check]
 * The generator lives with the dashboards (deploy/grafana/generate-dashboards.ts); this entry runs it in a child
 * process so the scripts project does not import deploy (deploy builds on the scripts, not the other way round).
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const GENERATOR = resolve(
  __dirname,
  '../deploy/grafana/generate-dashboards.ts',
);

const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', GENERATOR, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
process.exitCode = result.status ?? 1;
