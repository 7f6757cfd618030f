import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { SourcePlatform } from '@kingbridge/contracts';
import { SOURCE_CONNECTORS } from '@kingbridge/source-connector';
import {
  DEMO_CREDENTIALS,
  demoServiceEnv,
  writeDemoScenario,
} from './demo-credentials';
import { ProcessGroup, waitForHttp, type ProcessSpec } from './process-group';

export const ROOT = resolve(__dirname, '../..');

/**
 * One source connector per platform of the registry that the demo world has an account for (and so a simulator),
 * on its spec's port: a platform registered without one runs in production, not in the local stack.
 */
export const CONNECTORS: ReadonlyArray<{
  readonly id: SourcePlatform;
  readonly port: number;
}> = SOURCE_CONNECTORS.filter((s) => s.id in DEMO_CREDENTIALS).map((s) => ({
  id: s.id,
  port: s.httpPort,
}));

export const SERVICE_PORTS = {
  transform: 19410,
  'sink-kingdee': 19420,
  'status-exporter': 19430,
  // Alertmanager -> DingTalk / WeCom; serves the runbooks its messages link to.
  'alert-webhook': 19440,
} as const;

/** Each source platform's simulator port (its spec's endpoint), then the Kingdee targets'. */
export const SIMULATOR_PORTS: Readonly<Record<SourcePlatform, number>> & {
  readonly k3cloud: number;
  readonly jdy: number;
  readonly k3wise: number;
} = {
  ...Object.fromEntries(
    SOURCE_CONNECTORS.map((s) => [s.id, s.endpoint.simulatorPort]),
  ),
  k3cloud: 18201,
  jdy: 18202,
  k3wise: 18203,
};

/** The port of a simulator (a source platform's or a Kingdee target's); throws for one the stack has not. */
export function simulatorPort(name: string): number {
  const port = SIMULATOR_PORTS[name];
  if (port === undefined) throw new Error(`no simulator ${name}`);
  return port;
}

export interface StackOptions {
  readonly databaseUrl: string;
  readonly kafkaBrokers: string;
  readonly logDir: string;
  /** Simulator scenario file (live data rates, faults). */
  readonly scenarioFile?: string;
  /** Extra environment for every service (e.g. shorter merge windows for a demo or a test). */
  readonly extraEnv?: Readonly<Record<string, string>>;
  readonly logLevel?: string;
  /** Admin token for the services' ops endpoints. */
  readonly adminToken: string;
  /** Added to every service and simulator port, so a test stack can run beside the main job. */
  readonly portOffset?: number;
  /** Called as each process becomes ready. */
  readonly onReady?: (name: string, ms: number) => void;
}

/**
 * The main job's overrides for every service (npm start; the stack test uses the same): short merge windows and
 * polls so documents reach the Kingdee simulators within seconds. A variable set in `env` wins.
 */
export function demoStackEnv(
  env: Readonly<Record<string, string | undefined>> = {},
): Record<string, string> {
  return {
    MERGE_WINDOW_SIZE: env['MERGE_WINDOW_SIZE'] ?? '1m',
    MERGE_GRACE: env['MERGE_GRACE'] ?? '10s',
    MERGE_IDLE_TIMEOUT: env['MERGE_IDLE_TIMEOUT'] ?? '30s',
    POLL_INTERVAL_MS: env['POLL_INTERVAL_MS'] ?? '5000',
    SAFETY_LAG_MS: env['SAFETY_LAG_MS'] ?? '2000',
  };
}

/** URLs of the simulators as the services see them. */
export function simulatorUrls(offset = 0): Record<string, string> {
  const url = (port: number): string => `http://127.0.0.1:${port + offset}`;
  return {
    ...Object.fromEntries(
      SOURCE_CONNECTORS.map((s) => [
        s.endpoint.variable,
        url(s.endpoint.simulatorPort),
      ]),
    ),
    K3CLOUD_BASE_URL: `${url(SIMULATOR_PORTS.k3cloud)}/k3cloud/`,
    JDY_BASE_URL: url(SIMULATOR_PORTS.jdy),
    K3WISE_BASE_URL: `${url(SIMULATOR_PORTS.k3wise)}/K3API`,
  };
}

/** Every process of the stack, in start order (simulators first, connectors last). */
export function stackProcesses(o: StackOptions): ProcessSpec[] {
  const off = o.portOffset ?? 0;
  const common: Record<string, string> = {
    ...simulatorUrls(off),
    ...demoServiceEnv(),
    KAFKA_BROKERS: o.kafkaBrokers,
    DATABASE_URL: o.databaseUrl,
    LOG_LEVEL: o.logLevel ?? 'info',
    PLANS_DIR: join(ROOT, 'plans'),
    ADMIN_TOKEN: o.adminToken,
    ...(o.extraEnv ?? {}),
  };
  const svc = (name: keyof typeof SERVICE_PORTS): ProcessSpec => ({
    name,
    script: `services/${name}/src/main.ts`,
    env: { ...common, HTTP_PORT: String(SERVICE_PORTS[name] + off) },
    port: SERVICE_PORTS[name] + off,
    readyUrl: `http://127.0.0.1:${SERVICE_PORTS[name] + off}/health/ready`,
  });
  return [
    {
      name: 'simulators',
      script: 'services/simulators/src/main.ts',
      env: {
        SIM_ADMIN: '1',
        SIM_PORT_OFFSET: String(off),
        LOG_LEVEL: o.logLevel ?? 'info',
        SIM_SCENARIO: writeDemoScenario(
          o.scenarioFile,
          join(o.logDir, 'scenario.generated.yaml'),
        ),
      },
      readyUrl: `http://127.0.0.1:${SIMULATOR_PORTS.k3wise + off}/__admin/stats`,
    },
    svc('sink-kingdee'),
    svc('transform'),
    svc('status-exporter'),
    svc('alert-webhook'),
    ...CONNECTORS.map((c) => ({
      name: `source-connector-${c.id}`,
      script: 'services/source-connector/src/main.ts',
      env: { ...common, CONNECTOR_ID: c.id, HTTP_PORT: String(c.port + off) },
      port: c.port + off,
      readyUrl: `http://127.0.0.1:${c.port + off}/health/ready`,
    })),
  ].filter((p) => existsSync(join(ROOT, p.script)));
}

/** Runs a project script (kafka.sh, prometheus.sh) and fails loudly. */
export function infra(
  script: 'kafka' | 'prometheus',
  action: 'up' | 'down',
  env: Readonly<Record<string, string>> = {},
): void {
  execFileSync('bash', [join(ROOT, `deploy/local/${script}.sh`), action], {
    stdio: 'inherit',
    cwd: ROOT,
    env: { ...process.env, ...env },
  });
}

/** True when the script reports its process running (`status` exits 0). */
export function infraRunning(
  script: 'kafka' | 'prometheus',
  env: Readonly<Record<string, string>> = {},
): boolean {
  try {
    execFileSync('bash', [join(ROOT, `deploy/local/${script}.sh`), 'status'], {
      stdio: 'ignore',
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    return true;
  } catch {
    return false;
  }
}

/** Starts every process and waits until each is ready. */
export async function startStack(
  o: StackOptions,
  readyTimeoutMs = 90_000,
  group: ProcessGroup = new ProcessGroup(ROOT, o.logDir),
): Promise<ProcessGroup> {
  for (const spec of stackProcesses(o)) {
    const running = group.start(spec);
    const t0 = Date.now();
    if (spec.readyUrl) {
      try {
        await waitForHttp(spec.readyUrl, readyTimeoutMs, () => !running.exited);
      } catch (err) {
        await group.stopAll(5_000);
        throw new Error(
          `${spec.name} did not become ready: ${(err as Error).message} (log: ${join(o.logDir, `${spec.name}.log`)})`,
        );
      }
      o.onReady?.(spec.name, Date.now() - t0);
    }
  }
  return group;
}
