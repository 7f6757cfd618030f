import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  DEMO_CREDENTIALS,
  KINGDEE_DEMO_ENV,
  demoServiceEnv,
  writeDemoScenario,
  SIMULATOR_PORTS,
} from '@kingbridge/stack';
import {
  ComposeInterpolationError,
  renderCompose,
  type ComposeService,
} from '../compose-render.util';
import {
  ROOT,
  checkProcessConfig,
  repoPathOf,
  sourceOfCommand,
} from '../service-config-check.util';

/*
 * docker-compose.yml as Compose renders it, then every app container's own
 * config schema over the environment it gets: a container that would exit
 * at start with "invalid configuration" fails here.
 */

const FILE = join(ROOT, 'docker-compose.yml');
const ENV = { GRAFANA_ADMIN_PASSWORD: 'test-admin-password' };
const compose = renderCompose(FILE, ENV);
const services = compose.services;
const commandOf = (s: ComposeService): string[] =>
  typeof s.command === 'string' ? s.command.split(' ') : (s.command ?? []);
const appServices = Object.entries(services).filter(
  ([, s]) => s.image === 'kingbridge:local',
);
const oneShot = new Set(['migrate', 'master-data']);
const readYaml = <T>(path: string): T =>
  parse(readFileSync(join(ROOT, path), 'utf8')) as T;

/** Ports each container listens on (app services: their HTTP_PORT; infrastructure: its image's). */
function listeningPorts(name: string, s: ComposeService): number[] {
  if (name === 'simulators') return Object.values(SIMULATOR_PORTS);
  const fixed: Record<string, number[]> = {
    kafka: [9092],
    postgres: [5432],
    prometheus: [9090],
    alertmanager: [9093],
    grafana: [3000],
  };
  const port = s.environment['HTTP_PORT'];
  return fixed[name] ?? (port ? [Number(port)] : []);
}

/** Every host:port a loaded config points at: Kafka brokers and URLs. */
function endpoints(
  config: Readonly<Record<string, unknown>>,
): [string, string, number][] {
  const out: [string, string, number][] = [];
  for (const [key, value] of Object.entries(config)) {
    // Checked inside the container (loopback is right) / opened by a person's browser.
    if (key === 'HEALTHCHECK_URL' || key === 'RUNBOOK_BASE_URL') continue;
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (typeof v !== 'string') continue;
      if (key === 'KAFKA_BROKERS') {
        const [host = '', port = ''] = v.split(':');
        out.push([key, host, Number(port)]);
      } else if (/^(https?|postgres(ql)?):\/\//.test(v)) {
        const url = new URL(v);
        const port =
          url.port ||
          { 'http:': '80', 'https:': '443' }[url.protocol] ||
          '5432';
        out.push([key, url.hostname, Number(port)]);
      }
    }
  }
  return out;
}

describe('docker-compose.yml', () => {
  it("should render for Debian's docker-compose 1.29 too: no top-level name or version, and docker-compose config accepts it where installed", () => {
    const raw = parse(readFileSync(FILE, 'utf8')) as Record<string, unknown>;
    expect(
      Object.keys(raw)
        .filter((k) => !k.startsWith('x-'))
        .sort(),
    ).toEqual(['services', 'volumes']);
    const which = spawnSync('sh', ['-c', 'command -v docker-compose'], {
      encoding: 'utf8',
    });
    if (which.status === 0) {
      const run = spawnSync('docker-compose', ['-f', FILE, 'config', '-q'], {
        cwd: ROOT,
        env: { ...process.env, ...ENV },
        encoding: 'utf8',
      });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
    }
  });

  it('should ask for the Grafana admin password instead of shipping one', () => {
    expect(() => renderCompose(FILE, {})).toThrow(ComposeInterpolationError);
    expect(services.grafana?.environment['GF_SECURITY_ADMIN_PASSWORD']).toBe(
      ENV.GRAFANA_ADMIN_PASSWORD,
    );
  });

  it('should start every service of services/, each connector platform, migrations and master data', () => {
    const sources = appServices.map(([, s]) =>
      sourceOfCommand(commandOf(s)[0] ?? ''),
    );
    for (const svc of readdirSync(join(ROOT, 'services'))) {
      if (!existsSync(join(ROOT, 'services', svc, 'src/main.ts'))) continue;
      if (svc === 'simulators') continue; // started through demo-world (credentials + base data)
      expect(
        sources,
        `services/${svc} missing from docker-compose.yml`,
      ).toContain(`services/${svc}/src/main.ts`);
    }
    expect(sources).toContain('scripts/migrate.ts');
    expect(commandOf(services['master-data'] as ComposeService)).toEqual([
      'dist/deploy/docker/demo-world.js',
      'master-data',
    ]);
    expect(commandOf(services.simulators as ComposeService)).toEqual([
      'dist/deploy/docker/demo-world.js',
      'simulators',
    ]);
    const connectorIds = appServices
      .map(([, s]) => s.environment['CONNECTOR_ID'])
      .filter(Boolean);
    expect(connectorIds.sort()).toEqual([
      'jackyun',
      'jushuitan',
      'wdt',
      'xiaoman',
    ]);
  });

  it.each(appServices)(
    '%s: its own config schema accepts the rendered environment, and every address in it is a compose service port',
    async (name, s) => {
      const { config } = await checkProcessConfig(commandOf(s), s.environment);
      for (const [key, host, port] of endpoints(config)) {
        const target = services[host];
        expect(
          target,
          `${name}: ${key} points at ${host}, not a compose service (a default left in?)`,
        ).toBeDefined();
        expect(
          listeningPorts(host, target as ComposeService),
          `${name}: ${key} -> ${host}:${port}`,
        ).toContain(port);
      }
    },
  );

  it.each(['sink-kingdee', 'transform'])(
    'should run the operator CLI inside %s (docker compose exec <service> kb ...): its settings come from the container and point at compose services',
    async (name) => {
      const s = services[name] as ComposeService;
      const { config } = await checkProcessConfig(
        ['dist/tools/src/kingbridge.js'],
        s.environment,
      );
      const hosts = endpoints(config).map(([key, host, port]) => {
        expect(
          listeningPorts(host, services[host] as ComposeService),
          `${key} -> ${host}:${port}`,
        ).toContain(port);
        return `${key} ${host}`;
      });
      expect(hosts.sort()).toEqual([
        'DATABASE_URL postgres',
        'KAFKA_BROKERS kafka',
      ]);
    },
  );

  it('should wire the demo credentials on both sides: the connectors and the sink get what the simulators accept', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kb-compose-'));
    try {
      const scenario = parse(
        readFileSync(
          writeDemoScenario(
            repoPathOf('/app/deploy/local/scenario.live.yaml'),
            join(dir, 's.yaml'),
          ),
          'utf8',
        ),
      ) as Record<string, Record<string, unknown>>;
      for (const [sim, creds] of Object.entries(DEMO_CREDENTIALS))
        expect(scenario[sim]).toMatchObject(creds);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const demo = demoServiceEnv();
    for (const [name, s] of appServices.filter(
      ([, s]) => s.environment['CONNECTOR_ID'],
    )) {
      const id = (s.environment['CONNECTOR_ID'] as string).toUpperCase();
      const keys = Object.keys(demo).filter((k) => k.startsWith(`${id}_`));
      expect(keys.length, name).toBeGreaterThan(0);
      for (const key of keys)
        expect(s.environment[key], `${name}: ${key}`).toBe(demo[key]);
    }
    for (const [key, value] of Object.entries(KINGDEE_DEMO_ENV))
      expect(
        services['sink-kingdee']?.environment[key],
        `sink-kingdee: ${key}`,
      ).toBe(value);
  });

  it('should order start-up: migrations before every service, master data before the transform, healthchecks on everything that stays up', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const dep of Object.keys(s.depends_on))
        expect(
          services[dep],
          `${name} depends on unknown ${dep}`,
        ).toBeDefined();
      for (const [dep, condition] of Object.entries(s.depends_on)) {
        if (oneShot.has(dep))
          expect(condition, `${name} -> ${dep}`).toBe(
            'service_completed_successfully',
          );
        else if (
          services[dep]?.healthcheck &&
          name !== 'alertmanager' &&
          name !== 'grafana'
        )
          expect(condition, `${name} -> ${dep}`).toBe('service_healthy');
      }
      if (oneShot.has(name)) expect(s.restart, name).toBe('no');
      else expect(s.healthcheck, `${name} has no healthcheck`).toBeDefined();
    }
    for (const [name, s] of appServices) {
      if (
        name === 'migrate' ||
        name === 'simulators' ||
        name === 'alert-webhook'
      )
        continue;
      expect(
        s.depends_on['migrate'],
        `${name} must wait for the migrations`,
      ).toBe('service_completed_successfully');
    }
    expect(services.transform?.depends_on['master-data']).toBe(
      'service_completed_successfully',
    );
  });

  it('should mount only files that exist and declare every named volume', () => {
    const declared = new Set(Object.keys(compose.volumes ?? {}));
    for (const [name, s] of Object.entries(services)) {
      for (const v of s.volumes) {
        const source = v.split(':')[0] as string;
        if (source.startsWith('./'))
          expect(existsSync(join(ROOT, source)), `${name}: ${source}`).toBe(
            true,
          );
        else
          expect(
            declared.has(source),
            `${name}: volume ${source} not declared`,
          ).toBe(true);
      }
    }
    for (const stateful of [
      'kafka',
      'postgres',
      'prometheus',
      'alertmanager',
      'grafana',
    ])
      expect(
        services[stateful]?.volumes.some((v) => !v.startsWith('./')),
        `${stateful} keeps no data`,
      ).toBe(true);
  });

  it('should provision Grafana with the Prometheus datasource and the generated dashboards', () => {
    const ds = readYaml<{ datasources: { url: string }[] }>(
      'deploy/grafana/provisioning/datasources/prometheus.yaml',
    );
    const url = new URL(ds.datasources[0]?.url ?? '');
    expect(
      listeningPorts(url.hostname, services[url.hostname] as ComposeService),
    ).toContain(Number(url.port));
    const mount = services.grafana?.volumes.find((v) =>
      v.endsWith(':/var/lib/grafana/dashboards:ro'),
    );
    expect(mount).toBeDefined();
    const dashboards = readdirSync(
      join(ROOT, (mount as string).split(':')[0] as string),
    );
    expect(
      dashboards.filter((f) => f.endsWith('.json')).length,
    ).toBeGreaterThan(0);
  });

  it('should scrape every app service at its port and send alerts to the compose Alertmanager', () => {
    const prom = readYaml<{
      scrape_configs: { static_configs: { targets: string[] }[] }[];
      alerting?: {
        alertmanagers: { static_configs: { targets: string[] }[] }[];
      };
    }>('deploy/prometheus/prometheus.docker.yml');
    const targets = prom.scrape_configs.flatMap((c) =>
      c.static_configs.flatMap((s) => s.targets),
    );
    for (const [name, s] of appServices) {
      if (oneShot.has(name) || name === 'simulators') continue;
      expect(
        targets,
        `prometheus.docker.yml does not scrape ${name}`,
      ).toContain(`${name}:${s.environment['HTTP_PORT']}`);
    }
    const alertmanagers =
      prom.alerting?.alertmanagers.flatMap((a) =>
        a.static_configs.flatMap((s) => s.targets),
      ) ?? [];
    expect(alertmanagers).toEqual(['alertmanager:9093']);
  });

  it('docker-compose config sees the same environment as this renderer', () => {
    const which = spawnSync('sh', ['-c', 'command -v docker-compose'], {
      encoding: 'utf8',
    });
    if (which.status !== 0) return;
    const out = execFileSync('docker-compose', ['-f', FILE, 'config'], {
      cwd: ROOT,
      env: { ...process.env, ...ENV },
      encoding: 'utf8',
    });
    const rendered = parse(out) as {
      services: Record<string, { environment?: Record<string, string | null> }>;
    };
    for (const [name, s] of appServices) {
      const theirs = Object.fromEntries(
        Object.entries(rendered.services[name]?.environment ?? {}).map(
          ([k, v]) => [k, v ?? ''],
        ),
      );
      expect(theirs, name).toEqual(s.environment);
    }
  });
});
