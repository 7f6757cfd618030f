import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

// Generated files must match their generators: topics doc, Grafana dashboards, Kubernetes base.
const checks: Array<[string, string[]]> = [
  ['scripts/generate-docs.ts', ['--check']],
  ['scripts/generate-dashboards.ts', ['--check']],
  ['deploy/k8s/generate.ts', ['--check']],
];
let failed = false;
for (const [script, args] of checks) {
  if (!existsSync(script)) continue;
  try {
    const out = execFileSync('npx', ['tsx', script, ...args], {
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
process.exit(failed ? 1 : 0);
