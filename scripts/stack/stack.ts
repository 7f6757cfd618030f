import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ProcessGroup, waitForHttp, type ProcessSpec } from './process-group';

export const ROOT = resolve(__dirname, '../..');

export const CONNECTORS = [
  { id: 'jackyun', port: 19401 },
  { id: 'wdt', port: 19402 },
  { id: 'jushuitan', port: 19403 },
  { id: 'xiaoman', port: 19404 },
] as const;

export const SERVICE_PORTS = {
  transform: 19410,
  'sink-kingdee': 19420,
  'status-exporter': 19430,
} as const;

export const SIMULATOR_PORTS = {
  jackyun: 18101,
  wdt: 18102,
  jushuitan: 18103,
  xiaoman: 18104,
  k3cloud: 18201,
  jdy: 18202,
  k3wise: 18203,
} as const;

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
}

/** Every process of the stack, in start order (simulators first, connectors last). */
export function stackProcesses(o: StackOptions): ProcessSpec[] {
  const common: Record<string, string> = {
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
    env: { ...common, HTTP_PORT: String(SERVICE_PORTS[name]) },
    port: SERVICE_PORTS[name],
    readyUrl: `http://127.0.0.1:${SERVICE_PORTS[name]}/health/ready`,
  });
  return [
    {
      name: 'simulators',
      script: 'services/simulators/src/main.ts',
      env: {
        SIM_ADMIN: '1',
        LOG_LEVEL: o.logLevel ?? 'info',
        ...(o.scenarioFile ? { SIM_SCENARIO: o.scenarioFile } : {}),
      },
      readyUrl: `http://127.0.0.1:${SIMULATOR_PORTS.k3wise}/__admin/stats`,
    },
    svc('sink-kingdee'),
    svc('transform'),
    svc('status-exporter'),
    ...CONNECTORS.map((c) => ({
      name: `source-connector-${c.id}`,
      script: 'services/source-connector/src/main.ts',
      env: { ...common, CONNECTOR_ID: c.id, HTTP_PORT: String(c.port) },
      port: c.port,
      readyUrl: `http://127.0.0.1:${c.port}/health/ready`,
    })),
  ].filter((p) => existsSync(join(ROOT, p.script)));
}

/** Runs a project script (kafka.sh, prometheus.sh) and fails loudly. */
export function infra(script: 'kafka' | 'prometheus', action: 'up' | 'down'): void {
  execFileSync('bash', [join(ROOT, `deploy/local/${script}.sh`), action], { stdio: 'inherit', cwd: ROOT });
}

/** Starts every process and waits until each is ready. */
export async function startStack(o: StackOptions, readyTimeoutMs = 90_000): Promise<ProcessGroup> {
  const group = new ProcessGroup(ROOT, o.logDir);
  for (const spec of stackProcesses(o)) {
    const running = group.start(spec);
    if (spec.readyUrl) {
      try {
        await waitForHttp(spec.readyUrl, readyTimeoutMs, () => !running.exited);
      } catch (err) {
        await group.stopAll(5_000);
        throw new Error(`${spec.name} did not become ready: ${(err as Error).message} (log: ${join(o.logDir, `${spec.name}.log`)})`);
      }
    }
  }
  return group;
}
