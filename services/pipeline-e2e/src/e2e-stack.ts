import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { dropDatabase, ensureDatabase } from '@kingbridge/persistence';
import { RULES_DIR, RULE_FILES } from '../../../deploy/prometheus/rule-expressions';
import { startPrometheus, type PrometheusProcess } from '../../../deploy/prometheus/prometheus-api.util';
import { migrateAll } from '../../../scripts/migrate';
import type { ProcessGroup } from '../../../scripts/stack/process-group';
import { CONNECTORS, ROOT, SERVICE_PORTS, infra, startStack } from '../../../scripts/stack/stack';

/** Ports of the e2e stack: the main job's ports + 10000, so both can run at once. */
export const E2E_PORT_OFFSET = 10_000;
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
  /** Secrets configured for the run (for the leak check). */
  readonly secrets: readonly string[];
  stop(): Promise<void>;
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
export async function startE2eStack(extraEnv: Readonly<Record<string, string>> = {}): Promise<E2eStack> {
  const logDir = join(ROOT, '.cache/e2e/logs');
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  const databaseUrl = 'postgres://postgres@127.0.0.1:5432/kingbridge_e2e';
  const kafkaBrokers = `127.0.0.1:${KAFKA_ENV.KAFKA_PORT}`;
  const adminToken = 'e2e-admin-token-7f3a9c2b41d8e6f0';

  infra('kafka', 'up', KAFKA_ENV);
  await dropDatabase(databaseUrl);
  await ensureDatabase(databaseUrl);
  await migrateAll(databaseUrl);

  const targets: Record<string, string[]> = {
    'source-connector': CONNECTORS.map((c) => `127.0.0.1:${c.port + E2E_PORT_OFFSET}`),
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
    scenarioFile: join(ROOT, 'services/pipeline-e2e/src/scenario.e2e.yaml'),
    extraEnv: {
      MERGE_WINDOW_SIZE: '1m',
      MERGE_GRACE: '5s',
      MERGE_IDLE_TIMEOUT: '10s',
      POLL_INTERVAL_MS: '3000',
      SAFETY_LAG_MS: '1000',
      ...extraEnv,
    },
  }).catch(async (err: unknown) => {
    await prometheus.stop();
    infra('kafka', 'down', KAFKA_ENV);
    throw err;
  });
  return {
    group,
    kafkaBrokers,
    databaseUrl,
    prometheus,
    logDir,
    adminToken,
    secrets: [adminToken],
    async stop() {
      await group.stopAll();
      await prometheus.stop();
      infra('kafka', 'down', KAFKA_ENV);
    },
    kafkaDown: () => infra('kafka', 'down', { ...KAFKA_ENV, KAFKA_FRESH: '0' }),
    kafkaUp: () => infra('kafka', 'up', { ...KAFKA_ENV, KAFKA_FRESH: '0' }),
  };
}
