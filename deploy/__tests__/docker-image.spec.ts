import { spawn, spawnSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, pollUntil } from '@kingbridge/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTRY_POINTS, buildDist } from '../docker/build';
import { ROOT } from '../service-config-check.util';

/*
 * Docker cannot run here: the Dockerfile is checked as text, and its compile
 * step (deploy/docker/build.ts, what `RUN` runs) is run for real; then the
 * compiled JavaScript is started with plain node, as the image starts it.
 */

interface Stage {
  readonly from: string;
  readonly name: string;
  readonly lines: string[];
}

function stages(): Stage[] {
  const text = readFileSync(
    join(ROOT, 'deploy/docker/Dockerfile'),
    'utf8',
  ).replace(/\\\n/g, ' ');
  const args = Object.fromEntries(
    [...text.matchAll(/^ARG (\w+)=(\S+)$/gm)].map((m) => [m[1], m[2]]),
  );
  const out: Stage[] = [];
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (!line || line.startsWith('#')) continue;
    const from = /^FROM (\S+)(?: AS (\S+))?$/i.exec(line);
    if (from) {
      const image = (from[1] as string).replace(
        /\$\{(\w+)\}/g,
        (_, n: string) => args[n] ?? '',
      );
      out.push({ from: image, name: from[2] ?? '', lines: [] });
    } else out.at(-1)?.lines.push(line);
  }
  return out;
}

// Per run: two runs side by side (a shared tree) never remove each other's build.
const OUT = join(ROOT, `.cache/dist-spec-${process.pid}`);
let built: string[] = [];
const children: ReturnType<typeof spawn>[] = [];

beforeAll(async () => {
  built = await buildDist(OUT);
}, 120_000);
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(OUT, { recursive: true, force: true });
});

const js = (source: string): string =>
  join(OUT, source.replace(/\.ts$/, '.js'));

function node(args: readonly string[], env: Record<string, string>) {
  return spawnSync(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('deploy/docker/Dockerfile', () => {
  it('should build in stages and run as non-root on Node 20/22 with plain node, a HEALTHCHECK and a built entry point as command', () => {
    const all = stages();
    expect(all.map((s) => s.name)).toEqual(['build', 'deps', 'runtime']);
    for (const s of all) expect(s.from).toMatch(/^node:(20|22)[.-]/);
    const [build, deps, runtime] = all as [Stage, Stage, Stage];
    expect(
      build.lines.some(
        (l) => l.startsWith('RUN npm ci') && !l.includes('--omit=dev'),
      ),
    ).toBe(true);
    expect(
      build.lines.some((l) =>
        /^RUN npx tsx deploy\/docker\/build\.ts dist\b/.test(l),
      ),
    ).toBe(true);
    expect(deps.lines.some((l) => /^RUN npm ci --omit=dev/.test(l))).toBe(true);
    // The runtime stage: nothing from npm at start, no TypeScript runner.
    const text = runtime.lines.join('\n');
    expect(text).not.toMatch(/tsx|npx|npm /);
    expect(runtime.lines).toContain(
      'COPY --from=deps /app/node_modules ./node_modules',
    );
    expect(runtime.lines).toContain('COPY --from=build /src/dist ./dist');
    const user = /^USER (\S+)$/m.exec(text)?.[1] ?? 'root';
    expect(user.split(':')[0]).toMatch(/^[1-9]\d*$/); // numeric, so runAsNonRoot can verify it
    expect(/^ENTRYPOINT \["node"\]$/m.test(text)).toBe(true);
    const health =
      /^HEALTHCHECK .*CMD \["node", "\/app\/dist\/([^"]+)\.js"\]$/m.exec(
        text,
      )?.[1];
    expect(ENTRY_POINTS).toContain(`${health}.ts`);
    const cmd = /^CMD \["dist\/([^"]+)\.js"\]$/m.exec(text)?.[1];
    expect(ENTRY_POINTS).toContain(`${cmd}.ts`);
    for (const path of [
      'plans',
      'docs/runbooks',
      'deploy/local/scenario.live.yaml',
    ])
      expect(
        runtime.lines.some((l) => l.startsWith(`COPY ${path} `)),
        `runtime lacks ${path}`,
      ).toBe(true);
  });

  it('should compile every entry point and need only production dependencies at run time', () => {
    expect(built.length).toBe(ENTRY_POINTS.length);
    const pkg = JSON.parse(
      readFileSync(join(ROOT, 'package.json'), 'utf8'),
    ) as {
      dependencies: Record<string, string>;
    };
    const allowed = new Set([
      ...Object.keys(pkg.dependencies),
      ...builtinModules,
    ]);
    for (const file of built) {
      expect(existsSync(file), file).toBe(true);
      const requires = [
        ...readFileSync(file, 'utf8').matchAll(/\brequire\("([^"./][^"]*)"\)/g),
      ].map((m) => m[1] as string);
      const packages = requires.map((r) =>
        r.startsWith('node:')
          ? r.slice(5)
          : r.startsWith('@')
            ? r.split('/').slice(0, 2).join('/')
            : (r.split('/')[0] as string),
      );
      const missing = [...new Set(packages)].filter(
        (p) => !allowed.has(p) && !allowed.has(p.split('/')[0] as string),
      );
      expect(
        missing,
        `${file} requires devDependencies / undeclared packages`,
      ).toEqual([]);
      expect(readFileSync(file, 'utf8')).not.toMatch(/require\("@kingbridge\//);
    }
  });

  it('should refuse to start a compiled service with a bad configuration, naming the variable', () => {
    const run = node([js('services/source-connector/src/main.ts')], {
      CONNECTOR_ID: 'wdt',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('WDT_SID: required when CONNECTOR_ID=wdt');
    const plans = node([js('scripts/plan.ts'), 'validate'], {});
    expect(plans.stdout).toContain('plan(s) valid');
    expect(plans.status).toBe(0);
  });

  it('should put the compiled kingbridge CLI on the PATH as kingbridge and kb', () => {
    const runtime = stages().at(-1) as Stage;
    const text = runtime.lines.join('\n');
    expect(text).toContain(
      'exec node /app/dist/tools/src/kingbridge.js \"$@\"',
    );
    expect(text).toMatch(/> \/usr\/local\/bin\/kingbridge\b/);
    expect(text).toMatch(/ln -s kingbridge \/usr\/local\/bin\/kb\b/);
    expect(ENTRY_POINTS).toContain('tools/src/kingbridge.ts');
    const build = stages()[0] as Stage;
    expect(build.lines).toContain('COPY tools ./tools');
  });

  it('should run every operator command from the compiled kingbridge CLI, each only when asked', () => {
    const help = node([js('tools/src/kingbridge.ts'), '--help'], {});
    expect(help.status, help.stderr).toBe(0);
    for (const name of ['reconcile', 'dlq', 'trace', 'backfill', 'migrate'])
      expect(help.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    for (const name of ['reconcile', 'dlq', 'migrate', 'lookups', 'plan']) {
      const r = node([js('tools/src/kingbridge.ts'), name, '--help'], {});
      expect(r.status, `${name}: ${r.stderr}`).toBe(0);
      expect(r.stdout, name).toMatch(/^usage:/);
      // Bundled into one file, no other command's main ran.
      expect(r.stdout.match(/usage:/g), name).toHaveLength(1);
      expect(r.stderr, name).toBe('');
    }
    const bogus = node(
      [js('tools/src/kingbridge.ts'), 'dlq', 'list', 'sink', '--bogus'],
      {},
    );
    expect(bogus.status).toBe(2);
    expect(bogus.stderr).toContain('--bogus');
    const plans = node(
      [js('tools/src/kingbridge.ts'), 'plan', 'validate', 'plans'],
      {},
    );
    expect(plans.stdout).toContain('plan(s) valid');
  });

  it.each([
    'scripts/replay-dlq.ts',
    'scripts/backfill.ts',
    'scripts/trace.ts',
    'scripts/migrate.ts',
  ])('should print the usage of the compiled %s on --help', (script) => {
    const r = node([js(script), '--help'], {});
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^usage:/);
  });

  it('should run the compiled sink dlq alias through the compiled kingbridge CLI', () => {
    const r = node(
      [js('services/sink-kingdee/src/cli.ts'), 'dlq', 'list', '--bogus'],
      {},
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^dlq: Unknown option '--bogus'/);
  });

  it('should load the demo master data only, not another bundled script, when demo-world is given a command', () => {
    const r = node([js('deploy/docker/demo-world.ts'), 'nothing'], {});
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('demo-world: unknown command nothing');
    expect(`${r.stdout}${r.stderr}`.match(/usage:/g)).toHaveLength(1);
  });

  it('should start a compiled service with node and pass the image HEALTHCHECK', async () => {
    const port = await freePort();
    const env = {
      HTTP_PORT: String(port),
      LOG_LEVEL: 'warn',
      RUNBOOKS_DIR: join(ROOT, 'docs/runbooks'),
    };
    const healthcheck = (): number | null =>
      node([js('deploy/docker/healthcheck.ts')], env).status;
    expect(healthcheck()).toBe(1);
    const child = spawn(
      process.execPath,
      [js('services/alert-webhook/src/main.ts')],
      {
        cwd: ROOT,
        env: { PATH: process.env['PATH'] ?? '', ...env },
        stdio: 'ignore',
      },
    );
    children.push(child);
    await pollUntil(() => healthcheck() === 0, {
      timeoutMs: 20_000,
      description: 'compiled alert-webhook healthy',
    });
    const runbook = await fetch(
      `http://127.0.0.1:${port}/docs/runbooks/kingbridge-service-down.md`,
    );
    expect(runbook.status).toBe(200);
  });
});
