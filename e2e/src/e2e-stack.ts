import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { dropDatabase, ensureDatabase } from '@kingbridge/persistence';
import {
  RULES_DIR,
  RULE_FILES,
  startPrometheus,
  type PrometheusProcess,
} from '@kingbridge/deploy';
import { loadLookups, migrateAll } from '@kingbridge/scripts';
import {
  lookupTables,
  waitForHttp,
  type ProcessGroup,
  CONNECTORS,
  ROOT,
  SERVICE_PORTS,
  SIMULATOR_PORTS,
  infra,
  simulatorUrls,
  startStack,
  demoServiceEnv,
} from '@kingbridge/stack';

/** Ports of the e2e stack: the main job's ports + 10000, so both can run at once. */
export const E2E_PORT_OFFSET = 10_000;
/** Short merge windows so merged documents reach Kingdee within the run (reconciliation uses the same). */
export const E2E_MERGE = {
  MERGE_WINDOW_SIZE: '20s',
  MERGE_GRACE: '3s',
  MERGE_IDLE_TIMEOUT: '6s',
} as const;
/** Where a connector without checkpoint starts: this long before its first start. */
export const E2E_LOOKBACK_MS = 86_400_000;
const KAFKA_ENV = {
  KAFKA_PORT: '29092',
  KAFKA_CONTROLLER_PORT: '29093',
  KAFKA_STATE_DIR: join(ROOT, '.cache/e2e/kafka'),
  KAFKA_FRESH: '1',
};

export interface E2eStack {
  readonly group: ProcessGroup;
  readonly kafkaBrokers: string;
  readonly databaseUrl: string;
  readonly prometheus: PrometheusProcess;
  readonly logDir: string;
  readonly adminToken: string;
  /** When every process was first ready (epoch ms): the connectors' first windows start a lookback before. */
  readonly readyAt: number;
  /** The connectors' environment (simulator URLs, demo credentials, plans), for reading the sources. */
  readonly sourceEnv: Readonly<Record<string, string>>;
  /** Secrets configured for the run (for the leak check). */
  readonly secrets: readonly string[];
  stop(): Promise<void>;
  /** kill -9 then restart one process; waits until it is ready again. */
  kill9AndRestart(name: string): Promise<void>;
  /** Every process answers /health/ready. */
  waitAllReady(): Promise<void>;
  kafkaDown(): void;
  kafkaUp(): void;
}

export function servicePort(name: keyof typeof SERVICE_PORTS): number {
  return SERVICE_PORTS[name] + E2E_PORT_OFFSET;
}

export function connectorPort(id: (typeof CONNECTORS)[number]['id']): number {
  return (CONNECTORS.find((c) => c.id === id)?.port ?? 0) + E2E_PORT_OFFSET;
}

/**
 * The whole stack, isolated: its own Kafka broker (fresh data dir, ports 29092/29093), its own database,
 * its own Prometheus scraping it with the repo's rules, and every service on the main job's ports + 10000.
 */
export async function startE2eStack(
  extraEnv: Readonly<Record<string, string>> = {},
): Promise<E2eStack> {
  const logDir = join(ROOT, '.cache/e2e/logs');
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  const databaseUrl = 'postgres://postgres@127.0.0.1:5432/kingbridge_e2e';
  const kafkaBrokers = `127.0.0.1:${KAFKA_ENV.KAFKA_PORT}`;
  const adminToken = 'e2e-admin-token-7f3a9c2b41d8e6f0';

  killLeftovers();
  infra('kafka', 'up', KAFKA_ENV);
  await dropDatabase(databaseUrl);
  await ensureDatabase(databaseUrl);
  await migrateAll(databaseUrl);
  await loadLookups(databaseUrl, lookupTables());

  const targets: Record<string, string[]> = {
    'source-connector': CONNECTORS.map(
      (c) => `127.0.0.1:${c.port + E2E_PORT_OFFSET}`,
    ),
    transform: [`127.0.0.1:${servicePort('transform')}`],
    'sink-kingdee': [`127.0.0.1:${servicePort('sink-kingdee')}`],
    'status-exporter': [`127.0.0.1:${servicePort('status-exporter')}`],
  };
  const prometheus = await startPrometheus({
    targets,
    ruleFiles: RULE_FILES.map((f) => join(RULES_DIR, f)),
    interval: '2s',
  });
  const group = await startStack({
    databaseUrl,
    kafkaBrokers,
    logDir,
    adminToken,
    portOffset: E2E_PORT_OFFSET,
    logLevel: 'info',
    scenarioFile: join(ROOT, 'e2e/src/scenario.e2e.yaml'),
    extraEnv: {
      ...E2E_MERGE,
      POLL_INTERVAL_MS: '3000',
      // Plans poll every 1-5 min; the reconciliation waits for every stream to run past the quiet moment.
      MAX_POLL_INTERVAL_MS: '10000',
      INITIAL_LOOKBACK_MS: String(E2E_LOOKBACK_MS),
      SAFETY_LAG_MS: '1000',
      LOOKUP_CACHE_TTL_MS: '1000',
      ...extraEnv,
    },
  }).catch(async (err: unknown) => {
    await prometheus.stop();
    infra('kafka', 'down', KAFKA_ENV);
    throw err;
  });
  writePids(group, prometheus);
  const readyAt = Date.now();
  return {
    readyAt,
    sourceEnv: {
      ...simulatorUrls(E2E_PORT_OFFSET),
      ...demoServiceEnv(),
      PLANS_DIR: join(ROOT, 'plans'),
    },
    group,
    kafkaBrokers,
    databaseUrl,
    prometheus,
    logDir,
    adminToken,
    secrets: [adminToken],
    async stop() {
      try {
        await group.stopAll(10_000);
      } finally {
        await prometheus.stop().catch(() => undefined);
        infra('kafka', 'down', KAFKA_ENV);
        rmSync(PIDS_FILE, { force: true });
      }
    },
    async kill9AndRestart(name: string) {
      group.kill9(name);
      const next = await group.restart(name);
      writePids(group, prometheus);
      // Live (HTTP up), not ready: readiness waits for the consumer group to rebalance, which the next kill may
      // legitimately interrupt; waitAllReady checks readiness once the faults are over.
      const live = next.spec.readyUrl?.replace('/health/ready', '/health/live');
      if (live) await waitForHttp(live, 60_000, () => !next.exited);
    },
    async waitAllReady() {
      await Promise.all(
        group
          .all()
          .map((p) =>
            p.spec.readyUrl
              ? waitForHttp(p.spec.readyUrl, 120_000, () => !p.exited)
              : undefined,
          ),
      );
    },
    kafkaDown: () => infra('kafka', 'down', { ...KAFKA_ENV, KAFKA_FRESH: '0' }),
    kafkaUp: () => infra('kafka', 'up', { ...KAFKA_ENV, KAFKA_FRESH: '0' }),
  };
}

const PIDS_FILE = join(ROOT, '.cache/e2e/pids.json');

function allE2ePorts(): number[] {
  return [
    ...CONNECTORS.map((c) => c.port),
    ...Object.values(SERVICE_PORTS),
    ...Object.values(SIMULATOR_PORTS),
  ].map((p) => p + E2E_PORT_OFFSET);
}

function writePids(group: ProcessGroup, prometheus: PrometheusProcess): void {
  const pids = group
    .all()
    .flatMap((p) => (p.child.pid !== undefined ? [p.child.pid] : []));
  writeFileSync(
    PIDS_FILE,
    JSON.stringify({ pids, prometheusUrl: prometheus.url }),
  );
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

function killPid(pid: number, why: string): void {
  try {
    process.kill(pid, 'SIGKILL');
    console.warn(`e2e: killed leftover ${why} (pid ${pid})`);
  } catch {
    // already gone
  }
}

/**
 * A previous run killed before its afterAll leaves services, a Prometheus and a broker behind: kill what the pid file
 * names, whatever still listens on an e2e port (only our own service scripts), and the e2e broker (kafka.sh pid file).
 */
export function killLeftovers(): void {
  if (existsSync(PIDS_FILE)) {
    const parsed = z
      .object({ pids: z.array(z.number().int()) })
      .safeParse(JSON.parse(readFileSync(PIDS_FILE, 'utf8')));
    for (const pid of parsed.success ? parsed.data.pids : []) {
      if (cmdline(pid).includes('main.ts'))
        killPid(pid, cmdline(pid).slice(0, 80));
    }
    rmSync(PIDS_FILE, { force: true });
  }
  for (const port of allE2ePorts()) {
    let out = '';
    try {
      out = execFileSync('ss', ['-ltnpH', `sport = :${port}`], {
        encoding: 'utf8',
      });
    } catch {
      continue;
    }
    for (const m of out.matchAll(/pid=(\d+)/g)) {
      const pid = Number(m[1]);
      const cmd = cmdline(pid);
      if (cmd.includes('main.ts') && cmd.includes('services/'))
        killPid(pid, `listener on :${port}`);
    }
  }
  // Throw-away Prometheus instances of earlier e2e runs: orphans whose generated config scrapes the e2e ports.
  for (const entry of execFileSync('ps', ['-eo', 'pid=,ppid=,args='], {
    encoding: 'utf8',
  }).split('\n')) {
    const m =
      /^\s*(\d+)\s+(\d+)\s+prometheus .*--config\.file=(\S*kb-prometheus-\S*)/.exec(
        entry,
      );
    if (!m || m[2] !== '1') continue;
    const config = existsSync(m[3] as string)
      ? readFileSync(m[3] as string, 'utf8')
      : '';
    if (config.includes(`:${SERVICE_PORTS.transform + E2E_PORT_OFFSET}`))
      killPid(Number(m[1]), 'orphan prometheus');
  }
  infra('kafka', 'down', KAFKA_ENV);
}
